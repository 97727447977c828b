// Fuzzes the protocol guess on a plain connection's first bytes (viewer input): never reads
// past the input, and the preface itself always means HTTP/2.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/h2_preface.h"

using edgefront::http::guess_protocol;
using edgefront::http::kH2Preface;
using edgefront::http::Protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Protocol p = guess_protocol(in);
  if (in.substr(0, kH2Preface.size()) == kH2Preface && p != Protocol::kHttp2) {
    std::fprintf(stderr, "h2_preface_fuzz: the preface was not HTTP/2\n");
    std::abort();
  }
  std::string with_preface = std::string(kH2Preface) + std::string(in);
  if (guess_protocol(with_preface) != Protocol::kHttp2) std::abort();
  return 0;
}
