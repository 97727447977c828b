// Every coding round-trips through its library's decoder: empty, small, large and many-chunk
// inputs, and each write's output decodes on its own up to that point (flushed).
#include "http/compressor.h"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <random>
#include <string>

namespace edgefront::http {
namespace {

std::string gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(in.size() * 20 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  inflate(&z, Z_SYNC_FLUSH);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

std::string unbrotli(const std::string& in) {
  BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  std::string out(in.size() * 20 + 1024, '\0');
  size_t avail_in = in.size(), avail_out = out.size();
  const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
  auto* next_out = reinterpret_cast<uint8_t*>(out.data());
  BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
  out.resize(out.size() - avail_out);
  BrotliDecoderDestroyInstance(s);
  return out;
}

std::string unzstd(const std::string& in) {
  ZSTD_DCtx* d = ZSTD_createDCtx();
  std::string out(in.size() * 20 + 1024, '\0');
  ZSTD_inBuffer i{in.data(), in.size(), 0};
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  while (i.pos < i.size) {
    size_t rc = ZSTD_decompressStream(d, &o, &i);
    if (ZSTD_isError(rc)) break;
  }
  out.resize(o.pos);
  ZSTD_freeDCtx(d);
  return out;
}

std::string decode(Coding c, const std::string& in) {
  switch (c) {
    case Coding::kGzip:
      return gunzip(in);
    case Coding::kBrotli:
      return unbrotli(in);
    case Coding::kZstd:
      return unzstd(in);
    case Coding::kIdentity:
      break;
  }
  return in;
}

std::string text(size_t n) {
  std::mt19937 rng(7);
  const char* words[] = {"edge ", "cache ", "origin ", "failover ", "<div class=\"x\">", "\n"};
  std::string out;
  while (out.size() < n) out += words[rng() % 6];
  out.resize(n);
  return out;
}

class CompressorTest : public ::testing::TestWithParam<Coding> {};

TEST_P(CompressorTest, RoundTripsAndShrinksText) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{999}, size_t{100'000}, size_t{3'000'000}}) {
    std::string input = text(size);
    auto c = Compressor::make(GetParam());
    ASSERT_NE(c, nullptr);
    std::string out;
    ASSERT_TRUE(c->write(input, out));
    ASSERT_TRUE(c->finish(out));
    EXPECT_EQ(decode(GetParam(), out), input) << coding_token(GetParam()) << " " << size;
    if (size >= 100'000) {
      EXPECT_LT(out.size(), size / 3) << coding_token(GetParam());
    }
  }
}

TEST_P(CompressorTest, EveryWriteIsFlushedSoReadersGetBytesAsTheyArrive) {
  std::string input = text(50'000);
  auto c = Compressor::make(GetParam());
  std::string out;
  for (size_t at = 0; at < input.size(); at += 777) {
    size_t n = std::min<size_t>(777, input.size() - at);
    ASSERT_TRUE(c->write(std::span<const char>(input.data() + at, n), out));
    // What came out so far decodes to exactly what went in so far.
    EXPECT_EQ(decode(GetParam(), out), input.substr(0, at + n)) << coding_token(GetParam());
  }
  ASSERT_TRUE(c->finish(out));
  EXPECT_EQ(decode(GetParam(), out), input);
}

INSTANTIATE_TEST_SUITE_P(Codings, CompressorTest,
                         ::testing::Values(Coding::kGzip, Coding::kBrotli, Coding::kZstd),
                         [](const auto& info) { return std::string(coding_token(info.param)); });

TEST(Compressor, TokensAndIdentity) {
  EXPECT_EQ(coding_token(Coding::kGzip), "gzip");
  EXPECT_EQ(coding_token(Coding::kBrotli), "br");
  EXPECT_EQ(coding_token(Coding::kZstd), "zstd");
  EXPECT_EQ(Compressor::make(Coding::kIdentity), nullptr);
}

}  // namespace
}  // namespace edgefront::http
