// Streaming compression of response bodies (gzip, brotli, zstd): bytes go in as they arrive
// from the origin and come out compressed, flushed at every input so viewers reading a body
// that is still arriving are never held back by the compressor's buffering.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace edgefront::http {

enum class Coding { kIdentity, kGzip, kBrotli, kZstd };

// The Content-Encoding token: "gzip", "br", "zstd" ("identity" for none).
std::string_view coding_token(Coding coding);

class Compressor {
 public:
  virtual ~Compressor() = default;
  // Compresses `input` and appends everything it can emit so far to `out` (flushed: the
  // output decodes up to the end of `input`). False on an internal library error.
  virtual bool write(std::span<const char> input, std::string& out) = 0;
  // Ends the stream (checksums, end markers) into `out`.
  virtual bool finish(std::string& out) = 0;

  // Levels chosen for compressing on the fly: fast, still most of the ratio (docs/design).
  static std::unique_ptr<Compressor> make(Coding coding);
};

}  // namespace edgefront::http
