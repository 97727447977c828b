#include "cache/disk_store.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>

#include "cache/invalidation_journal.h"

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

TEST_F(DiskStoreTest, InvalidationAcceptedBeforeACrashIsAppliedOnReopen) {
  const fs::path journal = dir_ / "invalidations.journal";
  {
    DiskStore store(dir_, 1 << 20, board_);
    ASSERT_TRUE(store.open().ok());
    board_.set_journal([&store](const std::vector<InvalidationRule>& r) { store.journal(r); });
    store.store("k1", hash("k1"), object("/img/a", "a"));
    store.store("k2", hash("k2"), object("/txt/b", "b"));
    store.flush();
    ASSERT_TRUE(board_.submit("d", "ref", {"/txt/b"}, SystemTime{}).ok());
    store.flush();  // the scan applied it: nothing left to remember
    EXPECT_FALSE(fs::exists(journal));
  }
  // What a kill -9 between accepting an invalidation and the scan leaves behind.
  auto rule = parse_invalidation_path("/img/*");
  ASSERT_TRUE(rule.ok());
  rule.value().seq = 7;
  rule.value().distribution_id = "d";
  InvalidationJournal(journal.string()).append({rule.value()});
  ASSERT_TRUE(fs::exists(journal));

  InvalidationBoard fresh_board;  // a restart forgets the board
  DiskStore again(dir_, 1 << 20, fresh_board);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(load(again, "k1"), nullptr);
  EXPECT_EQ(again.stats().invalidated, 1u);
  EXPECT_FALSE(fs::exists(journal));
}

TEST(InvalidationJournal, LinesRoundTripAndDamageIsRefused) {
  InvalidationRule rule;
  rule.seq = 42;
  rule.distribution_id = "main";
  rule.path = "/a b\t%\n";
  rule.path[4] = '\t';
  rule.prefix = true;
  std::string line = InvalidationJournal::encode(rule);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  auto back = InvalidationJournal::decode(line.substr(0, line.size() - 1));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->seq, 42u);
  EXPECT_EQ(back->distribution_id, "main");
  EXPECT_EQ(back->path, rule.path);
  EXPECT_TRUE(back->prefix);
  InvalidationRule tag;
  tag.seq = 1;
  tag.distribution_id = "d";
  tag.tag = "product:tv";
  std::string tag_line = InvalidationJournal::encode(tag);
  auto tag_back = InvalidationJournal::decode(tag_line.substr(0, tag_line.size() - 1));
  ASSERT_TRUE(tag_back);
  EXPECT_EQ(tag_back->tag, "product:tv");
  EXPECT_TRUE(tag_back->path.empty());
  for (std::string_view bad : {"", "1\td", "x\td\t0\t/a\t", "1\td\t2\t/a\t", "1\td\t0\t\t",
                               "1\td\t0\t/a\tt", "1\td\t0\t/a%2\t"}) {
    EXPECT_FALSE(InvalidationJournal::decode(bad)) << bad;
  }
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

TEST_F(DiskStoreTest, StreamIsNamedOnlyOnCommit) {
  DiskStore store(dir_, 1 << 20, board_);
  ASSERT_TRUE(store.open().ok());
  auto o = object("/big", "");
  {
    auto abandoned = store.begin_stream("k1", hash("k1"), o);
    ASSERT_TRUE(abandoned);
    EXPECT_TRUE(abandoned->append("half of a body"));
    EXPECT_EQ(file_count(dir_), 1u) << "the temp file";
  }  // the origin failed: never committed
  EXPECT_EQ(file_count(dir_), 0u);
  EXPECT_EQ(load(store, "k1"), nullptr);

  auto stream = store.begin_stream("k1", hash("k1"), o);
  ASSERT_TRUE(stream);
  EXPECT_TRUE(stream->append("first "));
  EXPECT_TRUE(stream->append("second"));
  stream->commit();
  EXPECT_EQ(store.stats().writes, 1u);
  auto found = load(store, "k1");
  ASSERT_TRUE(found);
  EXPECT_EQ(body_of(found), "first second");
}

TEST_F(DiskStoreTest, StreamOutgrowingTheBudgetIsAbandoned) {
  DiskStore store(dir_, 1 << 20, board_);
  ASSERT_TRUE(store.open().ok());
  auto stream = store.begin_stream("k", hash("k"), object("/huge", ""));
  ASSERT_TRUE(stream);
  const std::string chunk(256 * 1024, 'z');
  bool ok = true;
  for (int i = 0; i < 5 && ok; ++i) ok = stream->append(chunk);
  EXPECT_FALSE(ok);
  stream->commit();
  EXPECT_EQ(store.stats().writes, 0u);
  stream.reset();
  EXPECT_EQ(file_count(dir_), 0u);
}

TEST_F(DiskStoreTest, LargeBodyIsVerifiedAndHandedOverAsAFile) {
  DiskStore store(dir_, 4 << 20, board_);
  ASSERT_TRUE(store.open().ok());
  const std::string body(1 << 20, 'q');
  store.store("k", hash("k"), object("/l", body));
  store.flush();
  auto any = [](const ObjectMeta& m) { return std::optional<std::string>(m.secondary_key); };
  DiskStore::Hit hit = store.load("k", hash("k"), any, /*inline_limit=*/1000);
  ASSERT_TRUE(hit.object);
  ASSERT_TRUE(hit.file);
  EXPECT_EQ(hit.body_length, body.size());
  EXPECT_EQ(hit.object->body->size(), 0u) << "the caller streams it";
  std::string read_back(body.size(), '\0');
  ASSERT_EQ(::pread(hit.file.get(), read_back.data(), read_back.size(),
                    static_cast<off_t>(hit.body_offset)),
            static_cast<ssize_t>(body.size()));
  EXPECT_EQ(read_back, body);

  // A flipped byte deep in a large body is found by the verification pass.
  std::string path = store.record_path(hit.object->id);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(hit.body_offset + 700000));
    f.put('!');
  }
  EXPECT_FALSE(store.load("k", hash("k"), any, 1000).object);
  EXPECT_EQ(store.stats().corrupt, 1u);
}

TEST_F(DiskStoreTest, UnwritableDirectoryIsAClearError) {
  DiskStore store("/proc/edgefront-cannot-exist", 1 << 20, board_);
  Status s = store.open();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("server.cache.disk.path"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::cache
