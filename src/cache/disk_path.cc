#include "cache/disk_path.h"

#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace edgefront::cache {

namespace {

namespace fs = std::filesystem;

// Kernel filesystems that hold no files of ours: writing the cache there fails or does harm.
const char* pseudo_filesystem(const fs::path& existing) {
  struct statfs st {};
  if (::statfs(existing.c_str(), &st) != 0) return nullptr;
  struct Kind {
    long magic;
    const char* name;
  };
  static constexpr std::array kKinds{
      Kind{PROC_SUPER_MAGIC, "proc"},
      Kind{SYSFS_MAGIC, "sysfs"},
      Kind{DEVPTS_SUPER_MAGIC, "devpts"},
      Kind{CGROUP_SUPER_MAGIC, "cgroup"},
      Kind{CGROUP2_SUPER_MAGIC, "cgroup2"},
      Kind{DEBUGFS_MAGIC, "debugfs"},
      Kind{TRACEFS_MAGIC, "tracefs"},
      Kind{SECURITYFS_MAGIC, "securityfs"},
      Kind{BPF_FS_MAGIC, "bpf"},
      Kind{PSTOREFS_MAGIC, "pstore"},
  };
  for (const Kind& k : kKinds) {
    if (static_cast<long>(st.f_type) == k.magic) return k.name;
  }
  // devtmpfs reports itself as tmpfs: tell it by where it is mounted.
  std::string text = existing.string();
  if (text == "/dev" || text.starts_with("/dev/")) return "devtmpfs";
  return nullptr;
}

std::string refusal(const std::string& dir, std::string_view why) {
  return fmt::format("server.cache.disk.path: {} {}", dir, why);
}

}  // namespace

std::optional<std::string> check_disk_dir(const std::string& dir) {
  if (dir.empty()) return "server.cache.disk.path: required";
  std::error_code ec;
  fs::path path = fs::absolute(dir, ec).lexically_normal();
  if (ec) return refusal(dir, "cannot be resolved: " + ec.message());
  // The directory itself, or the nearest ancestor that exists (the rest is created at start).
  fs::path existing = path;
  while (true) {
    fs::file_status status = fs::status(existing, ec);
    if (status.type() == fs::file_type::directory) break;
    if (status.type() != fs::file_type::not_found) {
      return refusal(dir, existing == path
                              ? "is not a directory"
                              : "is below " + existing.string() + ", which is not a directory");
    }
    if (!existing.has_relative_path()) break;  // "/" missing: let access() below say why
    existing = existing.parent_path();
  }
  if (const char* pseudo = pseudo_filesystem(existing)) {
    return refusal(dir, fmt::format("is on a {} pseudo filesystem, not a disk", pseudo));
  }
  if (::access(existing.c_str(), W_OK | X_OK) != 0) {
    return refusal(
        dir, fmt::format("is not writable ({}: {})", existing.string(), std::strerror(errno)));
  }
  return std::nullopt;
}

}  // namespace edgefront::cache
