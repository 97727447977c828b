#include "obs/access_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace edgefront::obs {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct LogFixture {
  std::string dir;
  Counter written{3};
  Counter dropped{3};
  LogFixture() {
    char tmpl[] = "/tmp/edgefront-access-log-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~LogFixture() { std::filesystem::remove_all(dir); }
  AccessLogOptions options(AccessLogFormat format = AccessLogFormat::kCloudFront) const {
    AccessLogOptions o;
    o.path = dir + "/access.log";
    o.format = format;
    return o;
  }
};

TEST(AccessLog, NewFileStartsWithTheHeaderAndGetsEveryLine) {
  LogFixture f;
  {
    AccessLog log(f.options(), 2, &f.written, &f.dropped, 2);
    log.submit(0, "one\n");
    log.submit(1, "two\nthree\n", 2);
    log.flush();
    EXPECT_EQ(f.written.value(), 3u);
  }
  std::string text = read_file(f.dir + "/access.log");
  EXPECT_TRUE(text.starts_with(cloudfront_log_header()));
  EXPECT_NE(text.find("one\n"), std::string::npos);
  EXPECT_NE(text.find("two\nthree\n"), std::string::npos);
  EXPECT_EQ(f.dropped.value(), 0u);
}

TEST(AccessLog, JsonLinesFilesHaveNoHeader) {
  LogFixture f;
  {
    AccessLog log(f.options(AccessLogFormat::kJsonLines), 1, &f.written, &f.dropped, 2);
    log.submit(0, "{}\n");
  }  // the destructor writes what is buffered
  EXPECT_EQ(read_file(f.dir + "/access.log"), "{}\n");
}

TEST(AccessLog, ReopenAfterRenameLosesNoLine) {
  LogFixture f;
  AccessLog log(f.options(), 1, &f.written, &f.dropped, 2);
  log.submit(0, "before\n");
  log.flush();
  std::filesystem::rename(f.dir + "/access.log", f.dir + "/access.log.1");
  log.submit(0, "between\n");  // handed over before the reopen: still the old file's
  log.reopen();
  log.flush();
  log.submit(0, "after\n");
  log.flush();
  std::string old_text = read_file(f.dir + "/access.log.1");
  std::string new_text = read_file(f.dir + "/access.log");
  EXPECT_NE(old_text.find("before\n"), std::string::npos);
  EXPECT_NE(old_text.find("between\n"), std::string::npos);
  EXPECT_TRUE(new_text.starts_with(cloudfront_log_header()));
  EXPECT_NE(new_text.find("after\n"), std::string::npos);
  EXPECT_EQ(f.written.value(), 3u);
}

TEST(AccessLog, FailedWritesAreCountedAsDropped) {
  LogFixture f;
  AccessLogOptions o = f.options();
  o.path = "/dev/full";
  AccessLog log(o, 1, &f.written, &f.dropped, 2);
  log.submit(0, "a\nb\n", 2);
  log.flush();
  EXPECT_EQ(f.dropped.value(), 2u);
  EXPECT_EQ(f.written.value(), 0u);
}

TEST(AccessLog, AFullBufferDropsAndCountsInsteadOfWaiting) {
  LogFixture f;
  AccessLogOptions o = f.options();
  o.max_buffered_bytes_per_worker = 8;
  o.flush_interval = std::chrono::hours(1);  // the writer only writes when asked
  AccessLog log(o, 1, &f.written, &f.dropped, 2);
  log.submit(0, "12345\n");
  log.submit(0, "67890\n");  // 12 bytes would exceed the bound
  EXPECT_EQ(f.dropped.value(), 1u);
  log.flush();
  EXPECT_EQ(f.written.value(), 1u);
}

}  // namespace
}  // namespace edgefront::obs
