// Whether a directory can hold the disk cache, checked without creating anything: `validate`
// and `serve` (DiskStore::open) share it so that a config validate accepts is one serve opens.
#pragma once

#include <optional>
#include <string>

namespace edgefront::cache {

// nullopt if `dir` is, or can be created as, a writable directory on a real filesystem; else
// "server.cache.disk.path: <why>". Refused: a regular file (or anything not a directory) at or
// above it, a pseudo filesystem (/proc, /sys, /dev, cgroup...), no write permission.
std::optional<std::string> check_disk_dir(const std::string& dir);

}  // namespace edgefront::cache
