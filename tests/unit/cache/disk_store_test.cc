#include "cache/disk_store.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>

namespace edgefront::cache {
namespace {

namespace fs = std::filesystem;

class DiskStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("edgefront-disk-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::shared_ptr<CachedObject> object(const std::string& path, const std::string& body,
                                       std::string secondary = "") {
    auto meta = std::make_shared<ObjectMeta>();
    meta->distribution_id = "d";
    meta->path = path;
    meta->secondary_key = std::move(secondary);
    meta->decision.store = true;
    meta->decision.ttl = Seconds(60);
    auto fill = std::make_shared<Fill>();
    fill->append(body);
    fill->complete();
    return std::make_shared<CachedObject>(meta, fill, board_.sequence());
  }
  static uint64_t hash(const std::string& primary) {
    return XXH3_64bits(primary.data(), primary.size());
  }
  static std::string body_of(const std::shared_ptr<CachedObject>& o) {
    Fill::Chunk c = o->body->read(0);
    return std::string(c.data.data(), c.data.size());
  }
  std::shared_ptr<CachedObject> load(DiskStore& store, const std::string& primary) {
    return store
        .load(primary, hash(primary),
              [](const ObjectMeta& m) { return std::optional<std::string>(m.secondary_key); })
        .object;
  }
  static uint64_t file_count(const fs::path& dir) {
    uint64_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
    return n;
  }

  fs::path dir_;
  InvalidationBoard board_;
};

TEST_F(DiskStoreTest, StoredObjectSurvivesReopen) {
  {
    DiskStore store(dir_, 1 << 20, board_);
    ASSERT_TRUE(store.open().ok());
    store.store("k1", hash("k1"), object("/a", "body-a"));
    store.flush();
    EXPECT_EQ(store.stats().writes, 1u);
  }
  DiskStore again(dir_, 1 << 20, board_);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.stats().objects, 1u);
  auto found = load(again, "k1");
  ASSERT_TRUE(found);
  EXPECT_EQ(body_of(found), "body-a");
  EXPECT_EQ(found->meta->path, "/a");
  EXPECT_EQ(found->body->state(), Fill::State::kComplete);
  EXPECT_EQ(load(again, "k2"), nullptr);
  EXPECT_EQ(again.stats().hits, 1u);
  EXPECT_EQ(again.stats().misses, 1u);
}

TEST_F(DiskStoreTest, CorruptRecordIsAMissAndRemoved) {
  DiskStore store(dir_, 1 << 20, board_);
  ASSERT_TRUE(store.open().ok());
  auto o = object("/a", "0123456789");
  store.store("k1", hash("k1"), o);
  store.flush();
  uint64_t id = XXH3_64bits_withSeed("", 0, hash("k1"));
  std::string path = store.record_path(id);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(path) - 12));  // inside the body
    f.put('X');
  }
  EXPECT_EQ(load(store, "k1"), nullptr);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(store.stats().corrupt, 1u);
  EXPECT_EQ(store.stats().objects, 0u);
}

TEST_F(DiskStoreTest, StartupDeletesTempFilesAndBadRecords) {
  {
    DiskStore store(dir_, 1 << 20, board_);
    ASSERT_TRUE(store.open().ok());
    store.store("k1", hash("k1"), object("/a", "aaaa"));
    store.store("k2", hash("k2"), object("/b", "bbbb"));
    store.flush();
  }
  std::string truncated =
      DiskStore(dir_, 1 << 20, board_).record_path(XXH3_64bits_withSeed("", 0, hash("k2")));
  fs::resize_file(truncated, fs::file_size(truncated) - 3);
  std::ofstream(dir_ / "00" / "0000000000000001.rec.123.tmp") << "half a write";
  DiskStore again(dir_, 1 << 20, board_);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.stats().objects, 1u);
  EXPECT_EQ(again.stats().corrupt, 1u);
  EXPECT_EQ(file_count(dir_), 1u);
  EXPECT_TRUE(load(again, "k1"));
  EXPECT_FALSE(load(again, "k2"));
}

TEST_F(DiskStoreTest, ByteBudgetEvictsAndUnlinks) {
  const uint64_t budget = 1 << 20;
  DiskStore store(dir_, budget, board_);
  ASSERT_TRUE(store.open().ok());
  const std::string body(100 * 1024, 'x');
  for (int i = 0; i < 30; ++i) {
    std::string key = "k" + std::to_string(i);
    store.store(key, hash(key), object("/" + key, body));
    store.flush();
  }
  DiskStats s = store.stats();
  EXPECT_EQ(s.writes, 30u);
  EXPECT_LE(s.bytes, budget);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_EQ(file_count(dir_), s.objects);
  uint64_t on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file()) on_disk += e.file_size();
  }
  EXPECT_LE(on_disk, budget);
}

TEST_F(DiskStoreTest, VariantsAreSelectedBySecondaryKey) {
  DiskStore store(dir_, 1 << 20, board_);
  ASSERT_TRUE(store.open().ok());
  store.store("k", hash("k"), object("/l", "french", "fr"));
  store.store("k", hash("k"), object("/l", "german", "de"));
  store.flush();
  auto want = [](std::string v) {
    return [v](const ObjectMeta&) { return std::optional<std::string>(v); };
  };
  auto de = store.load("k", hash("k"), want("de")).object;
  ASSERT_TRUE(de);
  EXPECT_EQ(body_of(de), "german");
  EXPECT_EQ(store.load("k", hash("k"), want("it")).object, nullptr);
  store.remove_key(hash("k"));
  EXPECT_EQ(store.load("k", hash("k"), want("fr")).object, nullptr);
  EXPECT_EQ(file_count(dir_), 0u);
}

TEST_F(DiskStoreTest, InvalidationRemovesRecordsForGood) {
  {
    DiskStore store(dir_, 1 << 20, board_);
    ASSERT_TRUE(store.open().ok());
    store.store("k1", hash("k1"), object("/img/a", "a"));
    store.store("k2", hash("k2"), object("/txt/b", "b"));
    store.flush();
    ASSERT_TRUE(board_.submit("d", "ref", {"/img/*"}, SystemTime{}).ok());
    store.flush();  // waits for the scan
    EXPECT_EQ(store.stats().invalidated, 1u);
  }
  InvalidationBoard fresh_board;  // a restart forgets the board
  DiskStore again(dir_, 1 << 20, fresh_board);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(load(again, "k1"), nullptr);
  EXPECT_TRUE(load(again, "k2"));
}

TEST_F(DiskStoreTest, IncompleteBodiesAreNeverWritten) {
  DiskStore store(dir_, 1 << 20, board_);
  ASSERT_TRUE(store.open().ok());
  auto meta = std::make_shared<ObjectMeta>();
  auto failed = std::make_shared<Fill>();
  failed->append("partial");
  failed->fail();
  store.store("k", hash("k"), std::make_shared<CachedObject>(meta, failed, 0));
  store.flush();
  EXPECT_EQ(store.stats().writes, 0u);
  EXPECT_EQ(file_count(dir_), 0u);
}

TEST_F(DiskStoreTest, UnwritableDirectoryIsAClearError) {
  DiskStore store("/proc/edgefront-cannot-exist", 1 << 20, board_);
  Status s = store.open();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("server.cache.disk.path"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::cache
