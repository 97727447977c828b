// The HTML body of responses edgefront generates itself (errors, redirects).
#pragma once

#include <string>
#include <string_view>

namespace edgefront::http {

std::string error_page_html(int status, std::string_view reason);

}  // namespace edgefront::http
