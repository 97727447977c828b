// Fuzzes the origin response parser (origins are untrusted too), including HEAD responses
// and end-of-stream handling.
#include <cstddef>
#include <cstdint>

#include "http/h1_parser.h"

using edgefront::http::H1Parser;
using edgefront::http::Method;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  H1Parser p(H1Parser::Kind::kResponse, H1Parser::Limits{8192, 100, 1024});
  p.set_request_method(data[0] & 1 ? Method::kHead : Method::kGet);
  const char* bytes = reinterpret_cast<const char*>(data) + 1;
  size_t remaining = size - 1;
  size_t step = 1 + (data[0] >> 1) % 13;
  while (remaining > 0) {
    size_t n = std::min(step, remaining);
    size_t used = 0;
    auto event = p.feed({bytes, n}, used);
    p.clear_body_spans();
    if (event == H1Parser::Event::kError) return 0;
    if (p.message_complete()) {
      p.next_message();
    }
    if (used == 0) used = n;
    bytes += used;
    remaining -= used;
  }
  (void)p.finish();
  return 0;
}
