// Accept-Encoding normalisation for caches (cloudfront-spec.md 3.10): the viewer's list reduced
// to the codings an edge stores variants for.
#pragma once

#include <string>
#include <string_view>

namespace edgefront::http {

// "br,gzip", "gzip", "br" or "" from an Accept-Encoding value, keeping only the enabled codings
// the list accepts (q=0 refuses; deflate, *, and others are dropped). With zstd enabled (an
// edgefront extension) "zstd" joins at the end: "br,gzip,zstd", "gzip,zstd", "zstd".
std::string normalize_accept_encoding(std::string_view value, bool gzip, bool brotli,
                                      bool zstd = false);

// True if the Accept-Encoding value accepts `coding` (case-insensitive; q=0 refuses it).
bool accepts_coding(std::string_view accept_encoding, std::string_view coding);

}  // namespace edgefront::http
