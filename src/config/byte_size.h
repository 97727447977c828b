// Native sizes: "256MiB", "64KiB", "2GiB", or a plain integer meaning bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace edgefront::config {

// Parses a non-negative size; nullopt if malformed or past 2^63 bytes.
std::optional<uint64_t> parse_byte_size(std::string_view text);

}  // namespace edgefront::config
