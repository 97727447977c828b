// Native durations: "250ms", "10s", "2m", "1h", or a plain integer meaning seconds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

namespace edgefront::config {

// Parses a non-negative duration; nullopt if malformed or too large to represent.
std::optional<Duration> parse_duration(std::string_view text);

// The shortest exact spelling parse_duration reads back: "250ms", "10s", "10m", "1h".
std::string format_duration(Duration d);

}  // namespace edgefront::config
