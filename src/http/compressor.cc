#include "http/compressor.h"

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

namespace edgefront::http {

namespace {

constexpr size_t kOutChunk = 16 * 1024;
constexpr int kGzipLevel = 5;      // zlib: ~level 6's ratio at a good share more speed
constexpr int kBrotliQuality = 5;  // brotli 5 beats gzip 9 in ratio at gzip-like speed
constexpr int kBrotliWindow = 22;  // 4 MiB window (the encoder's default)
constexpr int kZstdLevel = 3;      // zstd's default: fast with a ratio near gzip 9

class GzipCompressor final : public Compressor {
 public:
  GzipCompressor() {
    // 15 window bits + 16: a gzip wrapper (header and CRC-32) rather than zlib's.
    ok_ = deflateInit2(&z_, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipCompressor() override {
    if (ok_) deflateEnd(&z_);
  }
  bool write(std::span<const char> input, std::string& out) override {
    return run(input, Z_SYNC_FLUSH, out);
  }
  bool finish(std::string& out) override { return run({}, Z_FINISH, out); }

 private:
  bool run(std::span<const char> input, int flush, std::string& out) {
    if (!ok_) return false;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z_.avail_in = static_cast<uInt>(input.size());
    while (true) {
      size_t before = out.size();
      out.resize(before + kOutChunk);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + before);
      z_.avail_out = static_cast<uInt>(kOutChunk);
      int rc = deflate(&z_, flush);
      out.resize(before + kOutChunk - z_.avail_out);
      if (rc == Z_STREAM_END) return true;
      if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
      // Done once the input is consumed and deflate had room to spare for the flush.
      if (z_.avail_in == 0 && z_.avail_out != 0 && flush != Z_FINISH) return true;
    }
  }
  z_stream z_{};
  bool ok_ = false;
};

class BrotliCompressor final : public Compressor {
 public:
  BrotliCompressor() : state_(BrotliEncoderCreateInstance(nullptr, nullptr, nullptr)) {
    if (state_) {
      BrotliEncoderSetParameter(state_, BROTLI_PARAM_QUALITY, kBrotliQuality);
      BrotliEncoderSetParameter(state_, BROTLI_PARAM_LGWIN, kBrotliWindow);
    }
  }
  ~BrotliCompressor() override {
    if (state_) BrotliEncoderDestroyInstance(state_);
  }
  bool write(std::span<const char> input, std::string& out) override {
    return run(input, BROTLI_OPERATION_FLUSH, out);
  }
  bool finish(std::string& out) override { return run({}, BROTLI_OPERATION_FINISH, out); }

 private:
  bool run(std::span<const char> input, BrotliEncoderOperation op, std::string& out) {
    if (!state_) return false;
    size_t avail_in = input.size();
    const auto* next_in = reinterpret_cast<const uint8_t*>(input.data());
    while (true) {
      size_t before = out.size();
      out.resize(before + kOutChunk);
      size_t avail_out = kOutChunk;
      auto* next_out = reinterpret_cast<uint8_t*>(out.data() + before);
      if (!BrotliEncoderCompressStream(state_, op, &avail_in, &next_in, &avail_out, &next_out,
                                       nullptr)) {
        out.resize(before);
        return false;
      }
      out.resize(before + kOutChunk - avail_out);
      bool drained = avail_in == 0 && !BrotliEncoderHasMoreOutput(state_);
      if (op == BROTLI_OPERATION_FINISH ? BrotliEncoderIsFinished(state_) : drained) return true;
    }
  }
  BrotliEncoderState* state_;
};

class ZstdCompressor final : public Compressor {
 public:
  ZstdCompressor() : cctx_(ZSTD_createCCtx()) {
    if (cctx_) ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, kZstdLevel);
  }
  ~ZstdCompressor() override { ZSTD_freeCCtx(cctx_); }
  bool write(std::span<const char> input, std::string& out) override {
    return run(input, ZSTD_e_flush, out);
  }
  bool finish(std::string& out) override { return run({}, ZSTD_e_end, out); }

 private:
  bool run(std::span<const char> input, ZSTD_EndDirective mode, std::string& out) {
    if (!cctx_) return false;
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    while (true) {
      size_t before = out.size();
      out.resize(before + kOutChunk);
      ZSTD_outBuffer o{out.data() + before, kOutChunk, 0};
      size_t remaining = ZSTD_compressStream2(cctx_, &o, &in, mode);
      out.resize(before + o.pos);
      if (ZSTD_isError(remaining)) return false;
      // 0: the flush (or the frame's end) is complete and all input was taken.
      if (remaining == 0 && in.pos == in.size) return true;
    }
  }
  ZSTD_CCtx* cctx_;
};

}  // namespace

std::string_view coding_token(Coding coding) {
  switch (coding) {
    case Coding::kGzip:
      return "gzip";
    case Coding::kBrotli:
      return "br";
    case Coding::kZstd:
      return "zstd";
    case Coding::kIdentity:
      break;
  }
  return "identity";
}

std::unique_ptr<Compressor> Compressor::make(Coding coding) {
  switch (coding) {
    case Coding::kGzip:
      return std::make_unique<GzipCompressor>();
    case Coding::kBrotli:
      return std::make_unique<BrotliCompressor>();
    case Coding::kZstd:
      return std::make_unique<ZstdCompressor>();
    case Coding::kIdentity:
      break;
  }
  return nullptr;
}

}  // namespace edgefront::http
