// Fuzzes the directory origin with viewer-controlled paths and conditional / range headers. The
// root holds symlinks escaping it (relative, absolute, through a directory); the files they
// lead to contain a marker. Aborts if a response ever streams a file from outside the root,
// returns a status the origin must not produce, or frames the body inconsistently.
//
// Input: byte 0 picks the method (bits 0-1: GET, GET, HEAD, other) and bit 2 forces the
// O_NOFOLLOW walk instead of openat2. The rest, split on '\n': the first line is the path
// ('/' prepended when missing); each later line "<c><value>" adds a header by its first
// character: R Range, N If-None-Match, I If-Range, M If-Modified-Since.
// Every regular file in the root has mtime 784111777 (so "data.bin" has the ETag
// "3e8-ae1b981bc490a00"), except future.txt (year 2300).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "http/message.h"
#include "upstream/directory_origin.h"

namespace fs = std::filesystem;
using edgefront::http::Method;
using edgefront::http::RequestHead;
using edgefront::upstream::DirectoryOrigin;
using edgefront::upstream::FileResponse;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "directory_origin_fuzz: %s\n", what);
  std::abort();
}

using FileId = std::pair<dev_t, ino_t>;

FileId id_of(const struct stat& st) { return {st.st_dev, st.st_ino}; }

void write_file(const fs::path& p, const std::string& content, time_t mtime) {
  {
    std::ofstream out(p, std::ios::binary);
    out << content;
  }
  struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
  check(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0, "setup: utimensat");
}

struct Env {
  fs::path base;
  std::string marker;
  std::set<FileId> outside;  // files beyond the root (never to be served)
  std::set<FileId> inside;   // regular files beneath the root (the only ones servable)
  std::optional<DirectoryOrigin> origin;
};

Env* make_env() {
  auto* env = new Env;
  std::string tmpl = (fs::temp_directory_path() / "ef-dirorigin-fuzz-XXXXXX").string();
  check(::mkdtemp(tmpl.data()) != nullptr, "setup: mkdtemp");
  env->base = tmpl;
  env->marker = "EF-FUZZ-OUTSIDE-MARKER-" + std::to_string(::getpid()) + "-" + tmpl;
  const fs::path root = env->base / "root";
  constexpr time_t kMtime = 784111777;
  fs::create_directories(root / "sub" / "deeper");
  fs::create_directories(env->base / "outside_dir");
  write_file(root / "index.html", "<h1>hi</h1>", kMtime);
  std::string body;
  for (int i = 0; i < 1000; ++i) body.push_back(static_cast<char>('a' + i % 26));
  write_file(root / "data.bin", body, kMtime);
  write_file(root / "empty.txt", "", kMtime);
  write_file(root / "a b.txt", "spaced", kMtime);
  write_file(root / "sub" / "file.txt", "sub file", kMtime);
  write_file(root / "sub" / "deeper" / "x.css", "body{}", kMtime);
  write_file(root / "future.txt", "from the future", 10413792000);  // 2300-01-01
  write_file(env->base / "outside.txt", env->marker, kMtime);
  write_file(env->base / "outside_dir" / "secret.txt", env->marker, kMtime);
  fs::create_symlink("sub/file.txt", root / "link_inside");
  fs::create_symlink("sub", root / "dirlink_inside");
  fs::create_symlink("../outside.txt", root / "link_escape");
  fs::create_symlink(env->base / "outside.txt", root / "link_abs");
  fs::create_symlink("..", root / "dirlink_escape");
  fs::create_symlink("../../outside_dir", root / "sub" / "dirlink_escape2");
  fs::create_symlink(env->base / "outside_dir", root / "dirlink_abs");
  fs::create_symlink("loop", root / "loop");
  check(::mkfifo((root / "fifo").c_str(), 0644) == 0, "setup: mkfifo");

  for (const fs::path& p : {env->base / "outside.txt", env->base / "outside_dir" / "secret.txt"}) {
    struct stat st = {};
    check(::stat(p.c_str(), &st) == 0, "setup: stat outside");
    env->outside.insert(id_of(st));
  }
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(root)) {
    struct stat st = {};
    if (::lstat(e.path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) env->inside.insert(id_of(st));
  }
  auto opened = DirectoryOrigin::open(root.string());
  check(opened.ok(), "setup: DirectoryOrigin::open");
  env->origin.emplace(std::move(*opened));
  return env;
}

Env& env() {
  static Env* e = [] {
    Env* made = make_env();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(env().base, ec);
    });
    return made;
  }();
  return *e;
}

bool allowed_status(int status) {
  switch (status) {
    case 200:
    case 206:
    case 304:
    case 400:
    case 403:
    case 404:
    case 405:
    case 416:
    case 500:
      return true;
    default:
      return false;
  }
}

Method pick_method(uint8_t b) {
  switch (b & 3) {
    case 0:
    case 1:
      return Method::kGet;
    case 2:
      return Method::kHead;
    default:
      switch ((b >> 4) & 3) {
        case 0:
          return Method::kOptions;
        case 1:
          return Method::kPost;
        case 2:
          return Method::kDelete;
        default:
          return Method::kOther;
      }
  }
}

void check_response(const Env& e, const RequestHead& req, const FileResponse& r) {
  check(allowed_status(r.head.status), "status outside the allowed set");
  const bool head = req.method == Method::kHead;
  std::optional<std::string_view> cl = r.head.headers.get("Content-Length");
  if (!r.fd) {
    check(r.offset == 0 && r.length == 0, "range without a file");
    if (head) check(r.body.empty(), "body on a HEAD response");
    if (!head && r.head.status != 304) {
      check(cl && *cl == std::to_string(r.body.size()), "Content-Length != generated body");
    }
    return;
  }
  check(req.method == Method::kGet, "file streamed for a method other than GET");
  check(r.head.status == 200 || r.head.status == 206, "file streamed with a non-2xx status");
  check(r.body.empty(), "both a file and a generated body");
  struct stat st = {};
  check(::fstat(r.fd.get(), &st) == 0, "fstat of the response fd");
  check(S_ISREG(st.st_mode), "streamed something other than a regular file");
  check(e.outside.count(id_of(st)) == 0, "streamed a file OUTSIDE the root");
  check(e.inside.count(id_of(st)) == 1, "streamed a file that is not beneath the root");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  check(r.offset <= size && r.length <= size - r.offset, "range beyond the end of the file");
  check(cl && *cl == std::to_string(r.length), "Content-Length != streamed length");
  if (r.head.status == 200) check(r.offset == 0 && r.length == size, "200 with a partial body");
  if (r.head.status == 206) check(r.length > 0, "empty 206");
  // And the bytes themselves: never the marker.
  std::string content(static_cast<size_t>(size), '\0');
  ssize_t n = ::pread(r.fd.get(), content.data(), content.size(), 0);
  check(n == static_cast<ssize_t>(size), "pread of the response fd");
  check(content.find(e.marker) == std::string::npos, "streamed the OUTSIDE marker");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 4096) return 0;
  Env& e = env();
  DirectoryOrigin::force_walk_fallback_for_testing((data[0] & 4) != 0);

  RequestHead req;
  req.method = pick_method(data[0]);
  req.method_text = std::string(edgefront::http::method_name(req.method));
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t nl = rest.find('\n');
  std::string path(rest.substr(0, nl));
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  while (!rest.empty()) {
    nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (line.empty()) continue;
    std::string_view value = line.substr(1);
    switch (line.front()) {
      case 'R':
        req.headers.add("Range", value);
        break;
      case 'N':
        req.headers.add("If-None-Match", value);
        break;
      case 'I':
        req.headers.add("If-Range", value);
        break;
      case 'M':
        req.headers.add("If-Modified-Since", value);
        break;
      default:
        break;
    }
  }
  req.target = path;

  FileResponse r = e.origin->respond(req, path);
  check_response(e, req, r);
  return 0;
}
