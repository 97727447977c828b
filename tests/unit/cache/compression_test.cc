// CloudFront's compression rules (cloudfront-spec.md 3.10) as a table: every precondition,
// the size bounds, statuses, types with parameters, an origin's own encoding, HTTP/1.0, the
// choice between codings, and the ETag of a compressed variant.
#include "cache/compression.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/managed_policies.h"

namespace edgefront::cache {
namespace {

using http::Coding;
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Case {
  const char* name;
  Coding expected;
  // Changes to the defaults below: a CachingOptimized behavior with Compress, an HTTP/1.1
  // viewer accepting gzip and br, a 200 text/html answer of 5,000 bytes.
  bool compress = true;
  const char* policy = "CachingOptimized";
  bool zstd_enabled = false;
  bool key_has_accept_encoding = false;
  const char* accept_encoding = "gzip, deflate, br";
  http::Version version{1, 1};
  int status = 200;
  Fields response = {{"Content-Type", "text/html; charset=utf-8"}};
  std::optional<uint64_t> length = 5000;
};

CompressionChoice run(const Case& c) {
  config::CacheBehavior b;
  b.compress = c.compress;
  b.cache_policy = *config::find_managed_cache_policy(c.policy);
  b.cache_policy.accept_encoding_zstd = c.zstd_enabled;
  if (c.key_has_accept_encoding) {
    b.cache_policy.headers = {config::KeyValues::Behavior::kWhitelist, {"Accept-Encoding"}};
  }
  http::RequestHead req;
  req.version = c.version;
  if (c.accept_encoding) req.headers.add("Accept-Encoding", c.accept_encoding);
  http::ResponseHead resp;
  resp.status = c.status;
  for (const auto& [n, v] : c.response) resp.headers.add(n, v);
  return choose_compression(b, req, resp, c.length);
}

class CompressionRules : public ::testing::TestWithParam<Case> {};

TEST_P(CompressionRules, Table) {
  const Case& c = GetParam();
  CompressionChoice got = run(c);
  EXPECT_EQ(http::coding_token(got.coding), http::coding_token(c.expected))
      << c.name << " (reason: " << got.reason << ")";
  if (c.expected == Coding::kIdentity) {
    EXPECT_FALSE(got.reason.empty()) << c.name;
  }
}

Case with(Case c, auto&& change) {
  change(c);
  return c;
}

INSTANTIATE_TEST_SUITE_P(
    Spec, CompressionRules,
    ::testing::Values(
        Case{"both accepted: brotli", Coding::kBrotli},
        with(Case{"gzip only", Coding::kGzip}, [](Case& c) { c.accept_encoding = "gzip"; }),
        with(Case{"br only", Coding::kBrotli}, [](Case& c) { c.accept_encoding = "br"; }),
        with(Case{"gzip refused by q=0", Coding::kBrotli},
             [](Case& c) { c.accept_encoding = "gzip;q=0, br"; }),
        with(Case{"neither accepted", Coding::kIdentity},
             [](Case& c) { c.accept_encoding = "deflate, identity"; }),
        with(Case{"no Accept-Encoding", Coding::kIdentity},
             [](Case& c) { c.accept_encoding = nullptr; }),
        with(Case{"HTTP/1.0 viewer", Coding::kIdentity},
             [](Case& c) {
               c.version = {1, 0};
             }),
        with(Case{"Compress off", Coding::kIdentity}, [](Case& c) { c.compress = false; }),
        with(Case{"policy without codings", Coding::kIdentity},
             [](Case& c) { c.policy = "CachingOptimizedForUncompressedObjects"; }),
        with(Case{"TTL 0 (CachingDisabled)", Coding::kIdentity},
             [](Case& c) { c.policy = "CachingDisabled"; }),
        with(Case{"Accept-Encoding listed in the key", Coding::kIdentity},
             [](Case& c) { c.key_has_accept_encoding = true; }),
        with(Case{"gzip-only managed policy", Coding::kGzip},
             [](Case& c) { c.policy = "Elemental-MediaPackage"; }),
        with(Case{"zstd enabled, viewer prefers br", Coding::kBrotli},
             [](Case& c) {
               c.zstd_enabled = true;
               c.accept_encoding = "zstd, br, gzip";
             }),
        with(Case{"zstd enabled, no br", Coding::kZstd},
             [](Case& c) {
               c.zstd_enabled = true;
               c.accept_encoding = "zstd, gzip";
             }),
        with(Case{"zstd not enabled", Coding::kGzip},
             [](Case& c) { c.accept_encoding = "zstd, gzip"; }),
        with(Case{"origin compressed it", Coding::kIdentity},
             [](Case& c) { c.response.emplace_back("Content-Encoding", "gzip"); }),
        with(Case{"origin says identity", Coding::kIdentity},
             [](Case& c) { c.response.emplace_back("Content-Encoding", "identity"); }),
        with(Case{"999 bytes", Coding::kIdentity}, [](Case& c) { c.length = 999; }),
        with(Case{"1,000 bytes", Coding::kBrotli}, [](Case& c) { c.length = 1000; }),
        with(Case{"10,000,000 bytes", Coding::kBrotli}, [](Case& c) { c.length = 10'000'000; }),
        with(Case{"10,000,001 bytes", Coding::kIdentity}, [](Case& c) { c.length = 10'000'001; }),
        with(Case{"no Content-Length", Coding::kIdentity},
             [](Case& c) { c.length = std::nullopt; }),
        with(Case{"403", Coding::kBrotli}, [](Case& c) { c.status = 403; }),
        with(Case{"404", Coding::kBrotli}, [](Case& c) { c.status = 404; }),
        with(Case{"500", Coding::kIdentity}, [](Case& c) { c.status = 500; }),
        with(Case{"206", Coding::kIdentity}, [](Case& c) { c.status = 206; }),
        with(Case{"301", Coding::kIdentity}, [](Case& c) { c.status = 301; }),
        with(Case{"JSON", Coding::kBrotli},
             [](Case& c) {
               c.response = {{"Content-Type", "application/json"}};
             }),
        with(Case{"type case and parameters", Coding::kBrotli},
             [](Case& c) {
               c.response = {{"Content-Type", "Image/SVG+XML ; x=y"}};
             }),
        with(Case{"JPEG", Coding::kIdentity},
             [](Case& c) {
               c.response = {{"Content-Type", "image/jpeg"}};
             }),
        with(Case{"no Content-Type", Coding::kIdentity}, [](Case& c) { c.response = {}; })),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

TEST(CompressedEtag, StrongBecomesWeakWeakStaysInvalidGoes) {
  EXPECT_EQ(compressed_etag("\"abc\""), "W/\"abc\"");
  EXPECT_EQ(compressed_etag("W/\"abc\""), "W/\"abc\"");
  EXPECT_EQ(compressed_etag(" \"abc\" "), "W/\"abc\"");
  EXPECT_EQ(compressed_etag("abc"), std::nullopt);
  EXPECT_EQ(compressed_etag("W/abc"), std::nullopt);
  EXPECT_EQ(compressed_etag("\""), std::nullopt);
}

}  // namespace
}  // namespace edgefront::cache
