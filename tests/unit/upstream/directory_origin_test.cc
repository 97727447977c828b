#include "upstream/directory_origin.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/http_date.h"

namespace edgefront::upstream {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

std::string read_fd(const FileResponse& r) {
  std::string out(r.length, '\0');
  ssize_t n = ::pread(r.fd.get(), out.data(), out.size(), static_cast<off_t>(r.offset));
  if (n < 0) return "<error>";
  out.resize(static_cast<size_t>(n));
  return out;
}

// Fixture: <tmp>/root is the origin; <tmp>/outside.txt is a file beyond it.
class DirectoryOriginTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    DirectoryOrigin::force_walk_fallback_for_testing(GetParam());
    std::string tmpl = (fs::temp_directory_path() / "ef-dirorigin-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    fs::create_directories(root_ / "sub" / "deeper");
    write_file(root_ / "index.html", "<h1>hi</h1>");
    body_.clear();
    for (int i = 0; i < 1000; ++i) body_.push_back(static_cast<char>('a' + i % 26));
    write_file(root_ / "data.bin", body_);
    write_file(root_ / "sub" / "file.txt", "sub file");
    write_file(root_ / "sub" / "a b.txt", "spaced");
    write_file(root_ / "sub" / "deeper" / "x.css", "body{}");
    write_file(root_ / "empty.txt", "");
    write_file(base_ / "outside.txt", "SECRET");
    fs::create_symlink("sub/file.txt", root_ / "link_inside");
    fs::create_symlink("sub", root_ / "dirlink_inside");
    fs::create_symlink("../outside.txt", root_ / "link_escape");
    fs::create_symlink("/etc/passwd", root_ / "link_abs");
    fs::create_symlink("..", root_ / "dirlink_escape");
    ASSERT_EQ(::mkfifo((root_ / "fifo").c_str(), 0644), 0);
    // A fixed mtime so Last-Modified is predictable.
    struct timeval times[2] = {{784111777, 0}, {784111777, 123456}};
    ASSERT_EQ(::utimes((root_ / "index.html").c_str(), times), 0);

    auto opened = DirectoryOrigin::open(root_.string());
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    origin_.emplace(std::move(opened).value());
  }
  void TearDown() override {
    DirectoryOrigin::force_walk_fallback_for_testing(false);
    origin_.reset();
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  static http::RequestHead req(http::Method m = http::Method::kGet) {
    http::RequestHead r;
    r.method = m;
    r.method_text = std::string(http::method_name(m));
    return r;
  }
  FileResponse get(std::string_view path) const { return origin_->respond(req(), path); }
  FileResponse get_with(std::string_view path, const char* name, const char* value) const {
    http::RequestHead r = req();
    r.headers.add(name, value);
    return origin_->respond(r, path);
  }
  std::string etag_of(std::string_view path) const {
    return std::string(get(path).head.headers.get("ETag").value_or(""));
  }

  fs::path base_, root_;
  std::string body_;
  std::optional<DirectoryOrigin> origin_;
};

TEST_P(DirectoryOriginTest, ServesFile) {
  FileResponse r = get("/index.html");
  EXPECT_EQ(r.head.status, 200);
  ASSERT_TRUE(r.fd);
  EXPECT_EQ(r.offset, 0u);
  EXPECT_EQ(r.length, 11u);
  EXPECT_EQ(read_fd(r), "<h1>hi</h1>");
  EXPECT_TRUE(r.body.empty());
  const http::HeaderList& h = r.head.headers;
  EXPECT_EQ(h.get("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(h.get("Content-Length"), "11");
  EXPECT_EQ(h.get("Accept-Ranges"), "bytes");
  EXPECT_EQ(h.get("Last-Modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  // Strong ETag from size and mtime in ns.
  EXPECT_EQ(
      h.get("ETag"), "\"b-" + [] {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%llx", 784111777123456000ULL);
        return std::string(buf);
      }() + "\"");
  // The fd is blocking (O_NONBLOCK cleared) and close-on-exec.
  EXPECT_EQ(::fcntl(r.fd.get(), F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(::fcntl(r.fd.get(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_P(DirectoryOriginTest, NestedEncodedAndDotSegments) {
  EXPECT_EQ(read_fd(get("/sub/file.txt")), "sub file");
  EXPECT_EQ(read_fd(get("/sub/a%20b.txt")), "spaced");
  EXPECT_EQ(read_fd(get("/sub/deeper/x.css")), "body{}");
  EXPECT_EQ(read_fd(get("//sub///./file.txt")), "sub file");
  EXPECT_EQ(read_fd(get("/sub%2Ffile.txt")), "sub file");  // decoded '/' is a separator
  EXPECT_EQ(get("/sub/deeper/x.css").head.headers.get("Content-Type"), "text/css; charset=utf-8");
}

TEST_P(DirectoryOriginTest, HeadHasHeadersButNoBody) {
  FileResponse r = origin_->respond(req(http::Method::kHead), "/data.bin");
  EXPECT_EQ(r.head.status, 200);
  EXPECT_FALSE(r.fd);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(r.length, 0u);
  EXPECT_EQ(r.head.headers.get("Content-Length"), "1000");
  EXPECT_EQ(r.head.headers.get("Content-Type"), "application/octet-stream");
  EXPECT_TRUE(r.head.headers.contains("ETag"));

  FileResponse missing = origin_->respond(req(http::Method::kHead), "/nope");
  EXPECT_EQ(missing.head.status, 404);
  EXPECT_TRUE(missing.body.empty());
  EXPECT_NE(missing.head.headers.get("Content-Length"), "0");
}

TEST_P(DirectoryOriginTest, MissingAndDirectories) {
  for (const char* p : {"/nope", "/sub/nope.txt", "/nope/x", "/index.html/x", "/", "/sub", "/sub/",
                        "/index.html/", "/fifo", "/dirlink_inside/"}) {
    FileResponse r = get(p);
    EXPECT_EQ(r.head.status, 404) << p;
    EXPECT_FALSE(r.fd) << p;
    EXPECT_NE(r.body.find("404"), std::string::npos) << p;
    EXPECT_EQ(r.head.headers.get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r.head.headers.get("Content-Length"), std::to_string(r.body.size()));
  }
}

TEST_P(DirectoryOriginTest, TraversalRejected) {
  for (const char* p : {"/../outside.txt", "/sub/../../outside.txt", "/%2e%2e/outside.txt",
                        "/%2E%2E/outside.txt", "/sub/%2e%2e/%2e%2e/outside.txt",
                        "/%2F..%2Foutside.txt", "/sub%2F..%2F..%2Foutside.txt", "/..", "/sub/.."}) {
    FileResponse r = get(p);
    EXPECT_EQ(r.head.status, 400) << p;
    EXPECT_FALSE(r.fd) << p;
  }
  // Backslashes are never separators: 404.
  EXPECT_EQ(get("/..\\outside.txt").head.status, 404);
  EXPECT_EQ(get("/sub%5cfile.txt").head.status, 404);
}

TEST_P(DirectoryOriginTest, BadEscapesAndNul) {
  for (const char* p : {"/index.html%", "/index.html%2", "/%zz", "/%g0"}) {
    EXPECT_EQ(get(p).head.status, 400) << p;
  }
  EXPECT_EQ(get("/index.html%00").head.status, 400);
  EXPECT_EQ(get("/index.html%00.jpg").head.status, 400);
  EXPECT_EQ(get(std::string_view("/index.html\0", 12)).head.status, 400);
}

TEST_P(DirectoryOriginTest, SymlinksEscapingTheRootFail) {
  for (const char* p : {"/link_escape", "/link_abs", "/dirlink_escape/outside.txt",
                        "/dirlink_escape/root/index.html"}) {
    FileResponse r = get(p);
    EXPECT_EQ(r.head.status, 404) << p;
    EXPECT_FALSE(r.fd) << p;
  }
}

TEST_P(DirectoryOriginTest, SymlinksInsideTheRoot) {
  bool fallback = GetParam();
  FileResponse r = get("/link_inside");
  FileResponse d = get("/dirlink_inside/file.txt");
  if (fallback) {
    // The O_NOFOLLOW walk follows no symlink at all.
    EXPECT_EQ(r.head.status, 404);
    EXPECT_EQ(d.head.status, 404);
  } else {
    EXPECT_EQ(r.head.status, 200);
    EXPECT_EQ(read_fd(r), "sub file");
    EXPECT_EQ(d.head.status, 200);
    EXPECT_EQ(read_fd(d), "sub file");
  }
}

TEST_P(DirectoryOriginTest, Methods) {
  for (http::Method m : {http::Method::kPost, http::Method::kPut, http::Method::kDelete,
                         http::Method::kPatch, http::Method::kOther}) {
    FileResponse r = origin_->respond(req(m), "/index.html");
    EXPECT_EQ(r.head.status, 405);
    EXPECT_EQ(r.head.headers.get("Allow"), "GET, HEAD");
    EXPECT_FALSE(r.fd);
  }
  FileResponse o = origin_->respond(req(http::Method::kOptions), "/index.html");
  EXPECT_EQ(o.head.status, 200);
  EXPECT_TRUE(o.head.headers.contains("Allow"));
  EXPECT_TRUE(o.body.empty());
  EXPECT_FALSE(o.fd);
}

TEST_P(DirectoryOriginTest, IfNoneMatch) {
  std::string etag = etag_of("/index.html");
  ASSERT_FALSE(etag.empty());
  for (std::string v :
       {etag, "W/" + etag, "\"other\", " + etag, std::string("*"), "\"a,b\"," + etag}) {
    FileResponse r = get_with("/index.html", "If-None-Match", v.c_str());
    EXPECT_EQ(r.head.status, 304) << v;
    EXPECT_FALSE(r.fd);
    EXPECT_TRUE(r.body.empty());
    EXPECT_EQ(r.head.headers.get("ETag"), etag);
    EXPECT_EQ(r.head.headers.get("Last-Modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  }
  for (const char* v : {"\"other\"", "W/\"other\"", "garbage"}) {
    EXPECT_EQ(get_with("/index.html", "If-None-Match", v).head.status, 200) << v;
  }
  // If-None-Match present: If-Modified-Since is ignored.
  http::RequestHead r = req();
  r.headers.add("If-None-Match", "\"other\"");
  r.headers.add("If-Modified-Since", "Sun, 06 Nov 2094 08:49:37 GMT");
  EXPECT_EQ(origin_->respond(r, "/index.html").head.status, 200);
  // HEAD too.
  http::RequestHead h = req(http::Method::kHead);
  h.headers.add("If-None-Match", etag);
  EXPECT_EQ(origin_->respond(h, "/index.html").head.status, 304);
}

TEST_P(DirectoryOriginTest, IfModifiedSince) {
  EXPECT_EQ(
      get_with("/index.html", "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT").head.status,
      304);
  EXPECT_EQ(
      get_with("/index.html", "If-Modified-Since", "Mon, 07 Nov 1994 08:49:37 GMT").head.status,
      304);
  EXPECT_EQ(
      get_with("/index.html", "If-Modified-Since", "Sun, 06 Nov 1994 08:49:36 GMT").head.status,
      200);
  EXPECT_EQ(get_with("/index.html", "If-Modified-Since", "not a date").head.status, 200);
}

struct RangeCase {
  const char* range;
  int status;
  uint64_t offset;
  uint64_t length;
  const char* content_range;
};

TEST_P(DirectoryOriginTest, Ranges) {
  // data.bin is 1000 bytes.
  for (const RangeCase& c : {
           RangeCase{"bytes=0-9", 206, 0, 10, "bytes 0-9/1000"},
           RangeCase{"bytes=10-19", 206, 10, 10, "bytes 10-19/1000"},
           RangeCase{"bytes=990-", 206, 990, 10, "bytes 990-999/1000"},
           RangeCase{"bytes=-10", 206, 990, 10, "bytes 990-999/1000"},
           RangeCase{"bytes=-5000", 206, 0, 1000, "bytes 0-999/1000"},
           RangeCase{"bytes=900-5000", 206, 900, 100, "bytes 900-999/1000"},
           RangeCase{"bytes=999-999", 206, 999, 1, "bytes 999-999/1000"},
           RangeCase{"BYTES=0-0", 206, 0, 1, "bytes 0-0/1000"},
           RangeCase{" bytes= 0 - 1 ", 206, 0, 2, "bytes 0-1/1000"},
           // Ignored: full 200.
           RangeCase{"bytes=0-1,5-6", 200, 0, 1000, nullptr},
           RangeCase{"bytes=9-1", 200, 0, 1000, nullptr},
           RangeCase{"bytes=abc", 200, 0, 1000, nullptr},
           RangeCase{"bytes=--1", 200, 0, 1000, nullptr},
           RangeCase{"bytes=", 200, 0, 1000, nullptr},
           RangeCase{"items=0-1", 200, 0, 1000, nullptr},
           RangeCase{"bytes=1-2-3", 200, 0, 1000, nullptr},
           RangeCase{"bytes=99999999999999999999-", 200, 0, 1000, nullptr},
       }) {
    FileResponse r = get_with("/data.bin", "Range", c.range);
    EXPECT_EQ(r.head.status, c.status) << c.range;
    EXPECT_EQ(r.offset, c.offset) << c.range;
    EXPECT_EQ(r.length, c.length) << c.range;
    EXPECT_EQ(r.head.headers.get("Content-Length"), std::to_string(c.length)) << c.range;
    if (c.content_range) {
      EXPECT_EQ(r.head.headers.get("Content-Range"), c.content_range) << c.range;
      EXPECT_EQ(read_fd(r), body_.substr(c.offset, c.length)) << c.range;
    } else {
      EXPECT_FALSE(r.head.headers.contains("Content-Range")) << c.range;
    }
  }
}

TEST_P(DirectoryOriginTest, RangeNotSatisfiable) {
  for (const char* range : {"bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=5000-5001"}) {
    FileResponse r = get_with("/data.bin", "Range", range);
    EXPECT_EQ(r.head.status, 416) << range;
    EXPECT_EQ(r.head.headers.get("Content-Range"), "bytes */1000") << range;
    EXPECT_FALSE(r.fd);
  }
  FileResponse e = get_with("/empty.txt", "Range", "bytes=0-");
  EXPECT_EQ(e.head.status, 416);
  EXPECT_EQ(e.head.headers.get("Content-Range"), "bytes */0");
  EXPECT_EQ(get_with("/empty.txt", "Range", "bytes=-1").head.status, 416);
}

TEST_P(DirectoryOriginTest, IfRange) {
  std::string etag = etag_of("/data.bin");
  http::RequestHead r = req();
  r.headers.add("Range", "bytes=0-9");
  r.headers.add("If-Range", etag);
  EXPECT_EQ(origin_->respond(r, "/data.bin").head.status, 206);
  r.headers.set("If-Range", "\"stale\"");
  EXPECT_EQ(origin_->respond(r, "/data.bin").head.status, 200);
  r.headers.set("If-Range", "W/" + etag);  // weak tags never match
  EXPECT_EQ(origin_->respond(r, "/data.bin").head.status, 200);
  r.headers.set("If-Range", "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(origin_->respond(r, "/data.bin").head.status, 200);
}

TEST_P(DirectoryOriginTest, HeadRange) {
  http::RequestHead r = req(http::Method::kHead);
  r.headers.add("Range", "bytes=0-9");
  FileResponse f = origin_->respond(r, "/data.bin");
  EXPECT_EQ(f.head.status, 206);
  EXPECT_FALSE(f.fd);
  EXPECT_EQ(f.head.headers.get("Content-Length"), "10");
}

TEST_P(DirectoryOriginTest, EmptyFile) {
  FileResponse r = get("/empty.txt");
  EXPECT_EQ(r.head.status, 200);
  EXPECT_EQ(r.length, 0u);
  EXPECT_EQ(r.head.headers.get("Content-Length"), "0");
}

// Found by directory_origin_fuzz: an mtime past 2262 overflowed SystemTime's 64-bit nanoseconds
// (signed overflow, UB) when computing Last-Modified. It is clamped to the clock's last second.
TEST_P(DirectoryOriginTest, MtimeBeyondClockRange) {
  const fs::path p = root_ / "future.txt";
  write_file(p, "later");
  struct timespec times[2] = {{10413792000, 0}, {10413792000, 0}};  // 2300-01-01 00:00:00 UTC
  struct stat st = {};
  if (::utimensat(AT_FDCWD, p.c_str(), times, 0) != 0 || ::stat(p.c_str(), &st) != 0 ||
      st.st_mtim.tv_sec != 10413792000) {
    GTEST_SKIP() << "file system cannot store a year-2300 mtime";
  }
  FileResponse r = get("/future.txt");
  EXPECT_EQ(r.head.status, 200);
  EXPECT_EQ(read_fd(r), "later");
  EXPECT_EQ(r.head.headers.get("Last-Modified"), "Fri, 11 Apr 2262 23:47:16 GMT");
  EXPECT_EQ(
      get_with("/future.txt", "If-Modified-Since", "Fri, 31 Dec 9999 23:59:59 GMT").head.status,
      304);
  EXPECT_EQ(
      get_with("/future.txt", "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT").head.status,
      200);
}

INSTANTIATE_TEST_SUITE_P(Openat2AndWalk, DirectoryOriginTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Walk") : std::string("Openat2");
                         });

TEST(DirectoryOriginOpen, MissingRootFails) {
  auto r = DirectoryOrigin::open("/nonexistent/edgefront/root");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/edgefront/root"), std::string::npos);
  auto f = DirectoryOrigin::open("/etc/passwd");  // not a directory
  EXPECT_FALSE(f.ok());
}

TEST(ContentType, ByExtension) {
  struct {
    const char* path;
    const char* type;
  } cases[] = {
      {"/a.html", "text/html; charset=utf-8"},
      {"/a.htm", "text/html; charset=utf-8"},
      {"/a.css", "text/css; charset=utf-8"},
      {"/a.js", "text/javascript; charset=utf-8"},
      {"/a.mjs", "text/javascript; charset=utf-8"},
      {"/a.json", "application/json; charset=utf-8"},
      {"/a.txt", "text/plain; charset=utf-8"},
      {"/a.xml", "application/xml; charset=utf-8"},
      {"/a.svg", "image/svg+xml; charset=utf-8"},
      {"/a.png", "image/png"},
      {"/a.jpg", "image/jpeg"},
      {"/a.JPEG", "image/jpeg"},
      {"/a.gif", "image/gif"},
      {"/a.webp", "image/webp"},
      {"/a.avif", "image/avif"},
      {"/a.ico", "image/x-icon"},
      {"/a.woff", "font/woff"},
      {"/a.woff2", "font/woff2"},
      {"/a.ttf", "font/ttf"},
      {"/a.otf", "font/otf"},
      {"/a.pdf", "application/pdf"},
      {"/a.mp4", "video/mp4"},
      {"/a.webm", "video/webm"},
      {"/a.m3u8", "application/vnd.apple.mpegurl"},
      {"/a.ts", "video/mp2t"},
      {"/a.mpd", "application/dash+xml"},
      {"/a.wasm", "application/wasm"},
      {"/a.zip", "application/zip"},
      {"/a.tar.gz", "application/gzip"},
      {"/a.bin", "application/octet-stream"},
      {"/noext", "application/octet-stream"},
      {"/dir.html/noext", "application/octet-stream"},
      {"/a.", "application/octet-stream"},
  };
  for (const auto& c : cases) EXPECT_EQ(content_type_for(c.path), c.type) << c.path;
}

}  // namespace
}  // namespace edgefront::upstream
