// Request parsing: one typical browser GET per iteration, the parser reused across requests
// as a keep-alive connection reuses it.
#include <benchmark/benchmark.h>

#include <string_view>

#include "http/h1_parser.h"

namespace {

using edgefront::http::H1Parser;

constexpr std::string_view kBrowserGet =
    "GET /static/js/app.3f9a1c.js?v=12 HTTP/1.1\r\n"
    "Host: d111111abcdef8.cloudfront.net\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0\r\n"
    "Accept: */*\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://example.com/index.html\r\n"
    "Cookie: session=abc123; theme=dark\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

void BM_ParseBrowserGet(benchmark::State& state) {
  H1Parser parser(H1Parser::Kind::kRequest, {});
  for (auto _ : state) {
    size_t pos = 0;
    while (!parser.message_complete()) {
      size_t used = 0;
      auto event = parser.feed({kBrowserGet.data() + pos, kBrowserGet.size() - pos}, used);
      pos += used;
      if (event == H1Parser::Event::kError) {
        state.SkipWithError("parse error");
        return;
      }
    }
    benchmark::DoNotOptimize(parser.request().target.data());
    parser.next_message();
  }
  state.SetBytesProcessed(state.iterations() * kBrowserGet.size());
}
BENCHMARK(BM_ParseBrowserGet);

}  // namespace
