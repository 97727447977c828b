// The disk cache directory check shared by `validate` and `serve`.
#include "cache/disk_path.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace edgefront::cache {
namespace {

namespace fs = std::filesystem;

class DiskPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("disk-path-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(DiskPathTest, AcceptsADirectoryOrOneToCreate) {
  EXPECT_EQ(check_disk_dir(dir_.string()), std::nullopt);
  EXPECT_EQ(check_disk_dir((dir_ / "new" / "deeper").string()), std::nullopt);
}

TEST_F(DiskPathTest, RefusesARegularFileAtOrAboveIt) {
  fs::path file = dir_ / "file";
  std::ofstream(file) << "x";
  EXPECT_EQ(check_disk_dir(file.string()),
            "server.cache.disk.path: " + file.string() + " is not a directory");
  EXPECT_EQ(check_disk_dir((file / "sub").string()),
            "server.cache.disk.path: " + (file / "sub").string() + " is below " + file.string() +
                ", which is not a directory");
}

TEST_F(DiskPathTest, RefusesPseudoFilesystems) {
  struct Case {
    const char* path;
    const char* kind;
  };
  for (const Case& c :
       {Case{"/proc/edgefront-cache", "proc"}, Case{"/proc", "proc"},
        Case{"/sys/edgefront-cache", "sysfs"}, Case{"/dev/edgefront-cache", "devtmpfs"}}) {
    std::optional<std::string> refused = check_disk_dir(c.path);
    ASSERT_TRUE(refused.has_value()) << c.path;
    // /dev may be a plain tmpfs in a container: "devtmpfs" then comes from its place.
    EXPECT_NE(refused->find(c.kind), std::string::npos) << *refused;
  }
}

TEST_F(DiskPathTest, RefusesAnEmptyPath) {
  EXPECT_EQ(check_disk_dir(""), "server.cache.disk.path: required");
}

}  // namespace
}  // namespace edgefront::cache
