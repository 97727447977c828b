// The status page's files, embedded in the binary at build time (CMakeLists.txt,
// cmake/embed_text.cmake from src/server/status_page/): no external script or CDN.
#pragma once

#include <string_view>

namespace edgefront::server {

extern const std::string_view kStatusPageHtml;
extern const std::string_view kStatusPageJs;
extern const std::string_view kStatusPageCss;

}  // namespace edgefront::server
