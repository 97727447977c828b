// Small multi-buffer writes copied into one buffer, so TLS sends them as one record and one
// socket write instead of one of each per buffer (a head and a small body).
#pragma once

#include <span>
#include <string>

#include "net/asio.h"

namespace edgefront::net {

inline constexpr size_t kGatherLimit = 16 * 1024;  // one full TLS record of plaintext

// One contiguous view of `buffers`: the buffer itself when there is one, else a copy of them
// all in `scratch` (valid until it is next used).
inline std::span<const char> gathered(std::span<const asio::const_buffer> buffers,
                                      std::string& scratch) {
  if (buffers.size() == 1) {
    return {static_cast<const char*>(buffers[0].data()), buffers[0].size()};
  }
  scratch.clear();
  for (const asio::const_buffer& b : buffers) {
    scratch.append(static_cast<const char*>(b.data()), b.size());
  }
  return {scratch.data(), scratch.size()};
}

}  // namespace edgefront::net
