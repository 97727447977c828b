// The HTTP/2 viewer input path without sockets: the fuzz input goes, after the client
// preface, into an nghttp2 server session (frames, HPACK) whose header callbacks feed the
// H2RequestBuilder, exactly as H2ServerConnection wires them.
#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "http/h2_preface.h"
#include "http/h2_request.h"

namespace {

using edgefront::http::H2RequestBuilder;

struct State {
  std::map<int32_t, H2RequestBuilder> streams;
};

int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  auto* st = static_cast<State*>(user_data);
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    st->streams.insert_or_assign(frame->hd.stream_id, H2RequestBuilder(4096, 50));
  }
  return 0;
}

int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
              const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  auto* st = static_cast<State*>(user_data);
  auto it = st->streams.find(frame->hd.stream_id);
  if (it == st->streams.end()) return 0;
  it->second.add({reinterpret_cast<const char*>(name), namelen},
                 {reinterpret_cast<const char*>(value), valuelen});
  return it->second.header_bytes() > 4 * 4096 ? NGHTTP2_ERR_CALLBACK_FAILURE : 0;
}

int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  auto* st = static_cast<State*>(user_data);
  auto it = st->streams.find(frame->hd.stream_id);
  if (it != st->streams.end() && frame->hd.type == NGHTTP2_HEADERS &&
      frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    if (it->second.finish((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0)) {
      (void)it->second.head().path();
    }
  }
  return 0;
}

int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
  static_cast<State*>(user_data)->streams.erase(stream_id);
  return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  State st;
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
  nghttp2_session* session = nullptr;
  nghttp2_session_server_new(&session, cb, &st);
  nghttp2_session_callbacks_del(cb);
  const std::string_view preface = edgefront::http::kH2Preface;
  nghttp2_session_mem_recv(session, reinterpret_cast<const uint8_t*>(preface.data()),
                           preface.size());
  // Split the input where the first byte says, so frames straddle reads as on a socket.
  size_t split = size > 0 ? data[0] % (size + 1) : 0;
  if (nghttp2_session_mem_recv(session, data, split) >= 0) {
    nghttp2_session_mem_recv(session, data + split, size - split);
  }
  const uint8_t* out = nullptr;
  while (nghttp2_session_mem_send(session, &out) > 0) {
  }
  nghttp2_session_del(session);
  return 0;
}
