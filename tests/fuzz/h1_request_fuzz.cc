// Fuzzes the viewer request parser: arbitrary bytes, fed whole and in random-sized pieces,
// across several pipelined messages. Must never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/h1_parser.h"

using edgefront::http::H1Parser;

namespace {
void run(const uint8_t* data, size_t size, size_t step) {
  H1Parser p(H1Parser::Kind::kRequest, H1Parser::Limits{4096, 50, 1024});
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  int messages = 0;
  while (pos < input.size() && messages < 16) {
    size_t n = std::min(step, input.size() - pos);
    size_t used = 0;
    auto event = p.feed({input.data() + pos, n}, used);
    size_t body = 0;
    for (auto span : p.body_spans()) body += span.size();
    if (body > n) __builtin_trap();  // body bytes come out of this step's input
    p.clear_body_spans();
    pos += used;
    if (event == H1Parser::Event::kError) return;
    // A head that got through names no transfer coding but a single chunked (checked when the
    // head completes: trailer fields read later may repeat the name without framing anything).
    if (event == H1Parser::Event::kHeadComplete &&
        !edgefront::http::request_codings_supported(p.request().headers)) {
      __builtin_trap();
    }
    if (p.message_complete()) {
      (void)p.request().path();
      (void)p.request().query();
      p.next_message();
      ++messages;
      continue;
    }
    if (used == 0) pos += n;  // defensive: never loop without progress
  }
  (void)p.finish();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  run(data, size, size + 1);
  if (size > 0) run(data, size, 1 + data[0] % 7);
  return 0;
}
