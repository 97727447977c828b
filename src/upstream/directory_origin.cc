#include "upstream/directory_origin.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <system_error>
#include <vector>

#include "base/strings.h"
#include "http/http_date.h"
#include "http/range.h"

namespace edgefront::upstream {

namespace {

std::atomic<bool> g_force_walk{false};
std::atomic<bool> g_openat2_unsupported{false};

constexpr std::string_view kHtml = "text/html; charset=utf-8";

struct MimeType {
  std::string_view ext;
  std::string_view type;
};

constexpr std::array<MimeType, 30> kMimeTypes = {{
    {"html", kHtml},
    {"htm", kHtml},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"m3u8", "application/vnd.apple.mpegurl"},
    {"ts", "video/mp2t"},
    {"mpd", "application/dash+xml"},
    {"wasm", "application/wasm"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"map", "application/json; charset=utf-8"},
}};

// Missing, not a directory, escaping the root (EXDEV), symlink loops, names too long: 404.
int status_for_open_error(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
      return 403;
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EIO:
      return 500;
    default:
      return 404;
  }
}

void set_error(FileResponse& r, int status, bool head_request) {
  r.head.status = status;
  std::string_view reason = http::reason_phrase(status);
  std::string body = "<html><head><title>";
  body += std::to_string(status);
  body += ' ';
  body += reason;
  body += "</title></head><body><h1>";
  body += std::to_string(status);
  body += ' ';
  body += reason;
  body += "</h1></body></html>\n";
  r.head.headers.set("Content-Type", kHtml);
  r.head.headers.set("Content-Length", std::to_string(body.size()));
  if (!head_request) r.body = std::move(body);
}

// Opens `rel` (relative, no "..", no empty segments) beneath `root_fd`, refusing to resolve
// anything outside the root. Returns the fd or -errno.
int walk_open(int root_fd, const std::string& rel, int flags) {
  // Fallback without openat2: every component opened with O_NOFOLLOW, so no symlink is
  // followed at all (stricter than openat2's RESOLVE_BENEATH).
  UniqueFd dir;
  int dir_fd = root_fd;
  size_t start = 0;
  while (true) {
    size_t slash = rel.find('/', start);
    std::string component = rel.substr(start, slash == std::string::npos ? slash : slash - start);
    if (slash == std::string::npos) {
      int fd = ::openat(dir_fd, component.c_str(), flags | O_NOFOLLOW);
      return fd >= 0 ? fd : -errno;
    }
    int next = ::openat(dir_fd, component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) return -errno;
    dir.reset(next);
    dir_fd = next;
    start = slash + 1;
  }
}

int open_beneath(int root_fd, const std::string& rel, int flags) {
  if (!g_force_walk.load(std::memory_order_relaxed) &&
      !g_openat2_unsupported.load(std::memory_order_relaxed)) {
    struct open_how how = {};
    how.flags = static_cast<uint64_t>(flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof(how));
    if (fd >= 0) return static_cast<int>(fd);
    int err = errno;
    if (err == ENOSYS) {
      g_openat2_unsupported.store(true, std::memory_order_relaxed);
    } else if (err != EPERM) {  // EPERM: maybe a seccomp filter; try the walk
      return -err;
    }
  }
  return walk_open(root_fd, rel, flags);
}

std::string make_etag(const struct stat& st) {
  char buf[64];
  uint64_t mtime_ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull +
                      static_cast<uint64_t>(st.st_mtim.tv_nsec);
  int n =
      std::snprintf(buf, sizeof(buf), "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                    static_cast<unsigned long long>(mtime_ns));
  return std::string(buf, static_cast<size_t>(n));
}

// The file's mtime in whole seconds. SystemTime counts nanoseconds in 64 bits (1677-2262): a
// file time beyond that (e.g. `touch -d 2300-01-01`) would overflow it, so it is clamped.
SystemTime mtime_of(const struct stat& st) {
  using std::chrono::seconds;
  constexpr seconds kMin = std::chrono::ceil<seconds>(SystemTime::min().time_since_epoch());
  constexpr seconds kMax = std::chrono::floor<seconds>(SystemTime::max().time_since_epoch());
  return SystemTime{std::clamp(seconds(st.st_mtim.tv_sec), kMin, kMax)};
}

// An entity-tag without its weakness indicator.
std::string_view opaque_tag(std::string_view tag) {
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

// If-None-Match evaluation (weak comparison, RFC 9110 §13.1.2).
bool none_match_hits(std::string_view value, std::string_view etag) {
  size_t i = 0;
  while (i < value.size()) {
    char c = value[i];
    if (c == ' ' || c == '\t' || c == ',') {
      ++i;
      continue;
    }
    if (c == '*') return true;
    size_t begin = i;
    if (value.compare(i, 2, "W/") == 0) i += 2;
    if (i >= value.size() || value[i] != '"') return false;  // malformed: stop
    size_t close = value.find('"', i + 1);
    if (close == std::string_view::npos) return false;
    std::string_view tag = value.substr(begin, close + 1 - begin);
    if (opaque_tag(tag) == opaque_tag(etag)) return true;
    i = close + 1;
  }
  return false;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string_view ext = name.substr(dot + 1);
  for (const MimeType& m : kMimeTypes) {
    if (iequals(m.ext, ext)) return m.type;
  }
  return "application/octet-stream";
}

void DirectoryOrigin::force_walk_fallback_for_testing(bool on) {
  g_force_walk.store(on, std::memory_order_relaxed);
}

Result<DirectoryOrigin> DirectoryOrigin::open(const std::string& root) {
  int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return make_error(
        ErrorKind::kInternal, Fault::kInternal,
        "cannot open directory origin '" + root + "': " + std::generic_category().message(err));
  }
  return DirectoryOrigin(UniqueFd(fd), root);
}

FileResponse DirectoryOrigin::respond(const http::RequestHead& request,
                                      std::string_view path) const {
  FileResponse r;
  const bool head_request = request.method == http::Method::kHead;
  if (request.method == http::Method::kOptions) {
    r.head.status = 200;
    r.head.headers.set("Allow", "GET, HEAD, OPTIONS");
    r.head.headers.set("Content-Length", "0");
    return r;
  }
  if (request.method != http::Method::kGet && !head_request) {
    set_error(r, 405, false);
    r.head.headers.set("Allow", "GET, HEAD");
    return r;
  }

  // Decode first, then split on '/': an encoded "%2F" or "%2e%2e" is judged after decoding,
  // so it cannot smuggle a ".." segment past the check.
  std::string decoded;
  if (!percent_decode(path, decoded)) {
    set_error(r, 400, head_request);
    return r;
  }
  if (decoded.find('\0') != std::string::npos) {
    set_error(r, 400, head_request);
    return r;
  }
  if (decoded.find('\\') != std::string::npos) {
    set_error(r, 404, head_request);
    return r;
  }
  std::string rel;
  rel.reserve(decoded.size());
  size_t start = 0;
  while (start <= decoded.size()) {
    size_t slash = decoded.find('/', start);
    size_t end = slash == std::string::npos ? decoded.size() : slash;
    std::string_view seg(decoded.data() + start, end - start);
    if (seg == "..") {
      set_error(r, 400, head_request);
      return r;
    }
    if (!seg.empty() && seg != ".") {
      if (!rel.empty()) rel.push_back('/');
      rel.append(seg);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  // The root itself, or a path naming a directory ("/dir/"): directories are not served.
  if (rel.empty() || decoded.back() == '/') {
    set_error(r, 404, head_request);
    return r;
  }

  // O_NONBLOCK so a FIFO cannot block the open; cleared again for regular files.
  int fd = open_beneath(root_fd_.get(), rel, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    set_error(r, status_for_open_error(-fd), head_request);
    return r;
  }
  UniqueFd file(fd);
  struct stat st = {};
  if (::fstat(file.get(), &st) != 0) {
    set_error(r, 500, head_request);
    return r;
  }
  if (!S_ISREG(st.st_mode)) {
    set_error(r, 404, head_request);
    return r;
  }
  int fl = ::fcntl(file.get(), F_GETFL);
  if (fl >= 0) ::fcntl(file.get(), F_SETFL, fl & ~O_NONBLOCK);

  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const std::string etag = make_etag(st);
  const SystemTime mtime = mtime_of(st);
  const std::string last_modified = http::format_http_date(mtime);
  const http::HeaderList& rh = request.headers;

  // Conditional request: If-None-Match wins over If-Modified-Since.
  bool not_modified = false;
  if (std::optional<std::string> inm = rh.get_combined("If-None-Match")) {
    not_modified = none_match_hits(*inm, etag);
  } else if (std::optional<std::string_view> ims = rh.get("If-Modified-Since")) {
    std::optional<SystemTime> since = http::parse_http_date(*ims);
    not_modified = since && mtime <= *since;
  }
  if (not_modified) {
    r.head.status = 304;
    r.head.headers.set("ETag", etag);
    r.head.headers.set("Last-Modified", last_modified);
    return r;
  }

  // Range, honoured only when If-Range (if any) still matches. Multipart answers are not
  // produced here: several ranges get the whole file.
  http::HeaderList validators;
  validators.add("ETag", etag);
  validators.add("Last-Modified", last_modified);
  // Like S3, a HEAD with Range describes the partial response too.
  http::RangeRequest range;
  if (rh.count("Range") == 1) {
    std::optional<std::string_view> if_range = rh.get("If-Range");
    if (!if_range || http::if_range_matches(*if_range, validators)) {
      range = http::parse_range(*rh.get("Range"), size);
    }
  }
  if (range.kind == http::RangeRequest::Kind::kSatisfiable && range.ranges.size() > 1) {
    range = http::RangeRequest{};
  }

  if (range.kind == http::RangeRequest::Kind::kUnsatisfiable) {
    set_error(r, 416, head_request);
    r.head.headers.set("Content-Range", http::unsatisfied_content_range(size));
    return r;
  }

  r.head.headers.set("Content-Type", content_type_for(rel));
  uint64_t offset = 0;
  uint64_t length = size;
  if (range.kind == http::RangeRequest::Kind::kSatisfiable) {
    r.head.status = 206;
    offset = range.ranges[0].first;
    length = range.ranges[0].length();
  } else {
    r.head.status = 200;
  }
  r.head.headers.set("Content-Length", std::to_string(length));
  r.head.headers.set("ETag", etag);
  r.head.headers.set("Last-Modified", last_modified);
  r.head.headers.set("Accept-Ranges", "bytes");
  if (r.head.status == 206) {
    r.head.headers.set("Content-Range", "bytes " + std::to_string(offset) + "-" +
                                            std::to_string(offset + length - 1) + "/" +
                                            std::to_string(size));
  }
  if (!head_request) {
    r.fd = std::move(file);
    r.offset = offset;
    r.length = length;
  }
  return r;
}

}  // namespace edgefront::upstream
