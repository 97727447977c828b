#include "http/error_page.h"

#include <fmt/format.h>

#include "http/message.h"

namespace edgefront::http {

namespace {
// Reasons come from our own code, but may quote request bytes: escape them.
std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}
}  // namespace

std::string error_page_html(int status, std::string_view reason) {
  return fmt::format(
      "<!DOCTYPE html>\n<html><head><title>{0} {1}</title></head>\n"
      "<body><h1>{0} {1}</h1><p>{2}</p><hr><p>edgefront</p></body></html>\n",
      status, reason_phrase(status), html_escape(reason));
}

}  // namespace edgefront::http
