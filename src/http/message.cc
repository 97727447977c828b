#include "http/message.h"

#include <algorithm>
#include <array>

namespace edgefront::http {

namespace {
constexpr std::array<std::string_view, 8> kMethodNames = {"GET",  "HEAD",  "OPTIONS", "PUT",
                                                          "POST", "PATCH", "DELETE",  "OTHER"};
}

std::string_view method_name(Method m) { return kMethodNames[static_cast<size_t>(m)]; }

Method parse_method(std::string_view name) {
  for (size_t i = 0; i + 1 < kMethodNames.size(); ++i) {
    if (kMethodNames[i] == name) return static_cast<Method>(i);
  }
  return Method::kOther;
}

void HeaderList::set(std::string_view name, std::string_view value) {
  auto it = std::find_if(fields_.begin(), fields_.end(),
                         [&](const Field& f) { return iequals(f.first, name); });
  if (it == fields_.end()) {
    add(name, value);
    return;
  }
  it->second.assign(value);
  auto rest = std::remove_if(std::next(it), fields_.end(),
                             [&](const Field& f) { return iequals(f.first, name); });
  fields_.erase(rest, fields_.end());
}

size_t HeaderList::remove(std::string_view name) {
  auto rest = std::remove_if(fields_.begin(), fields_.end(),
                             [&](const Field& f) { return iequals(f.first, name); });
  size_t n = static_cast<size_t>(fields_.end() - rest);
  fields_.erase(rest, fields_.end());
  return n;
}

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (iequals(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

size_t HeaderList::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(fields_.begin(), fields_.end(),
                                           [&](const Field& f) { return iequals(f.first, name); }));
}

std::optional<std::string> HeaderList::get_combined(std::string_view name) const {
  std::optional<std::string> out;
  for (const Field& f : fields_) {
    if (!iequals(f.first, name)) continue;
    if (out) {
      out->append(", ");
      out->append(f.second);
    } else {
      out = f.second;
    }
  }
  return out;
}

bool HeaderList::has_token(std::string_view name, std::string_view token) const {
  bool found = false;
  for (const Field& f : fields_) {
    if (!iequals(f.first, name)) continue;
    for_each_list_token(f.second, [&](std::string_view t) {
      if (iequals(t, token)) found = true;
    });
  }
  return found;
}

void HeaderList::add_list_token(std::string_view name, std::string_view token) {
  if (has_token(name, token) || has_token(name, "*")) return;
  std::optional<std::string> current = get_combined(name);
  set(name, current ? *current + ", " + std::string(token) : std::string(token));
}

std::string_view RequestHead::path() const {
  size_t q = target.find('?');
  return std::string_view(target).substr(0, q);
}

std::string_view RequestHead::query() const {
  size_t q = target.find('?');
  if (q == std::string::npos) return {};
  return std::string_view(target).substr(q + 1);
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kHopByHop = {"connection",
                                                                "keep-alive",
                                                                "proxy-connection",
                                                                "te",
                                                                "trailer",
                                                                "transfer-encoding",
                                                                "upgrade",
                                                                "proxy-authenticate",
                                                                "proxy-authorization"};
  for (std::string_view h : kHopByHop) {
    if (iequals(h, name)) return true;
  }
  return false;
}

}  // namespace edgefront::http
