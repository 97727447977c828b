// Whole writes to a file descriptor (the disk cache's records and journal).
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace edgefront {

// Writes all of `data`, retrying short writes and EINTR; false on any other error.
inline bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace edgefront
