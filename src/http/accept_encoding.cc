#include "http/accept_encoding.h"

#include "base/strings.h"

namespace edgefront::http {

bool accepts_coding(std::string_view accept_encoding, std::string_view coding) {
  bool found = false;
  for_each_list_token(accept_encoding, [&](std::string_view item) {
    size_t semi = item.find(';');
    if (!iequals(trim(item.substr(0, semi)), coding)) return;
    bool refused = false;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      size_t q = params.find_first_not_of(" \t");
      if (q != std::string_view::npos && (params[q] == 'q' || params[q] == 'Q') &&
          q + 1 < params.size() && params[q + 1] == '=') {
        std::string_view weight = trim(params.substr(q + 2));
        refused = !weight.empty() && weight.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (!refused) found = true;
  });
  return found;
}

std::string normalize_accept_encoding(std::string_view value, bool gzip, bool brotli, bool zstd) {
  std::string out;
  auto add = [&out, value](bool enabled, std::string_view coding) {
    if (!enabled || !accepts_coding(value, coding)) return;
    if (!out.empty()) out += ',';
    out += coding;
  };
  add(brotli, "br");
  add(gzip, "gzip");
  add(zstd, "zstd");
  return out;
}

}  // namespace edgefront::http
