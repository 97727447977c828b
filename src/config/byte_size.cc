#include "config/byte_size.h"

#include <charconv>
#include <limits>

namespace edgefront::config {

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc()) return std::nullopt;
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  int shift = 0;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "KiB") {
    shift = 10;
  } else if (unit == "MiB") {
    shift = 20;
  } else if (unit == "GiB") {
    shift = 30;
  } else if (unit == "TiB") {
    shift = 40;
  } else {
    return std::nullopt;
  }
  constexpr uint64_t kMax = uint64_t{1} << 63;
  if (number > (kMax >> shift)) return std::nullopt;
  return number << shift;
}

}  // namespace edgefront::config
