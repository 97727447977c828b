// The local-directory origin (the seeds' "S3 bucket"): serves regular files beneath a root
// directory, safe against path traversal and symlinks escaping the root. Pure apart from the
// file system: it opens and stats files but does no network I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.h"
#include "base/unique_fd.h"
#include "http/message.h"

namespace edgefront::upstream {

struct FileResponse {
  // Status, Content-Type, Content-Length, ETag, Last-Modified, Accept-Ranges: bytes.
  http::ResponseHead head;
  UniqueFd fd;  // open file to stream when status 200/206 and method GET; empty otherwise
  uint64_t offset = 0, length = 0;  // byte range of fd to send (0 when fd is empty)
  std::string body;  // small generated body (error pages) when fd is empty; empty for HEAD
};

// Content-Type for a path by its extension ("; charset=utf-8" for text types);
// "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view path);

class DirectoryOrigin {
 public:
  // Opens the root directory.
  static Result<DirectoryOrigin> open(const std::string& root);

  // `path` is the origin path (Route::origin_path, maybe with Origin::origin_path); starts
  // with '/', percent-encoded, without query.
  FileResponse respond(const http::RequestHead& request, std::string_view path) const;

  const std::string& root() const { return root_; }

  // Tests: use the per-component O_NOFOLLOW walk instead of openat2.
  static void force_walk_fallback_for_testing(bool on);

 private:
  DirectoryOrigin(UniqueFd fd, std::string root)
      : root_fd_(std::move(fd)), root_(std::move(root)) {}

  UniqueFd root_fd_;
  std::string root_;
};

}  // namespace edgefront::upstream
