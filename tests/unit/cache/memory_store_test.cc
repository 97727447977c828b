#include "cache/memory_store.h"

#include <gtest/gtest.h>

#include "cache/object_footprint.h"

namespace edgefront::cache {
namespace {

std::shared_ptr<CachedObject> make_object(const InvalidationBoard& board, std::string path,
                                          std::string secondary = "") {
  auto meta = std::make_shared<ObjectMeta>();
  meta->distribution_id = "d";
  meta->path = std::move(path);
  meta->secondary_key = std::move(secondary);
  return std::make_shared<CachedObject>(meta, std::make_shared<Fill>(), board.sequence());
}

auto any_variant = [](const ObjectMeta& m) -> std::optional<std::string> {
  return m.secondary_key;
};

TEST(MemoryStore, InsertFindAndReplaceVariant) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board);
  auto a = make_object(board, "/a");
  store.insert("key-a", 1, a);
  EXPECT_EQ(store.find("key-a", 1, any_variant), a);
  EXPECT_EQ(store.find("other-key", 1, any_variant), nullptr) << "hash collision";
  auto a2 = make_object(board, "/a");
  store.insert("key-a", 1, a2);
  EXPECT_EQ(store.find("key-a", 1, any_variant), a2);
}

TEST(MemoryStore, KeysSharingAHashStayApart) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board);
  auto a = make_object(board, "/a");
  store.insert("key-a", 1, a);
  // Another key landing on the same index hash is neither found, nor stored over the first,
  // nor able to remove it, and its fetch leads on its own instead of joining.
  store.insert("key-b", 1, make_object(board, "/b"));
  EXPECT_EQ(store.find("key-a", 1, any_variant), a);
  EXPECT_EQ(store.find("key-b", 1, any_variant), nullptr);
  store.remove_key("key-b", 1);
  EXPECT_EQ(store.find("key-a", 1, any_variant), a);
  MemoryStore::Lookup lead = store.join_or_lead("key-a", 1);
  ASSERT_TRUE(lead.leader);
  MemoryStore::Lookup other = store.join_or_lead("key-b", 1);
  EXPECT_TRUE(other.leader);
  EXPECT_NE(other.pending, lead.pending);
  store.finish_pending(1, lead.pending, MemoryStore::Pending::Outcome::kNotStored, nullptr);
  store.remove_key("key-a", 1);
  EXPECT_EQ(store.find("key-a", 1, any_variant), nullptr);
}

TEST(MemoryStore, VaryVariantsAreSelectedBySecondaryKey) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board);
  auto fr = make_object(board, "/l", "fr");
  auto de = make_object(board, "/l", "de");
  store.insert("k", 7, fr);
  store.insert("k", 7, de);
  auto want = [](std::string v) {
    return [v](const ObjectMeta&) -> std::optional<std::string> { return v; };
  };
  EXPECT_EQ(store.find("k", 7, want("fr")), fr);
  EXPECT_EQ(store.find("k", 7, want("de")), de);
  EXPECT_EQ(store.find("k", 7, want("it")), nullptr);
}

TEST(MemoryStore, CollapsingHasOneLeaderAndWakesWaiters) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board);
  auto first = store.join_or_lead("k", 3);
  auto second = store.join_or_lead("k", 3);
  EXPECT_TRUE(first.leader);
  EXPECT_FALSE(second.leader);
  EXPECT_EQ(first.pending, second.pending);
  auto obj = make_object(board, "/k");
  store.finish_pending(3, first.pending, MemoryStore::Pending::Outcome::kStored, obj);
  asio::io_context ctx;
  bool woke = false;
  auto waiter = [](std::shared_ptr<MemoryStore::Pending> p, bool& out) -> net::awaitable<void> {
    co_await p->wait();
    out = true;
  };
  asio::co_spawn(ctx, waiter(second.pending, woke), asio::detached);
  ctx.run();
  EXPECT_TRUE(woke);
  EXPECT_EQ(second.pending->object, obj);
  EXPECT_TRUE(store.join_or_lead("k", 3).leader) << "the next miss leads a new fetch";
}

TEST(MemoryStore, InvalidatedObjectsDisappearOnLookup) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board);
  auto a = make_object(board, "/a");
  auto b = make_object(board, "/b");
  store.insert("ka", 1, a);
  store.insert("kb", 2, b);
  ASSERT_TRUE(board.submit("d", "", {"/a"}, SystemTime{}).ok());
  EXPECT_EQ(store.find("ka", 1, any_variant), nullptr);
  EXPECT_EQ(store.find("kb", 2, any_variant), b);
  auto a_again = make_object(board, "/a");  // stored after the invalidation
  store.insert("ka", 1, a_again);
  EXPECT_EQ(store.find("ka", 1, any_variant), a_again);
}

TEST(MemoryStore, ByteBudgetEvicts) {
  InvalidationBoard board;
  MemoryStore store(80'000, board, /*shard_count=*/1);
  for (uint64_t i = 0; i < 50; ++i) {
    auto obj = make_object(board, "/o" + std::to_string(i));
    store.insert("k" + std::to_string(i), i + 100, obj);
    store.account(obj, 10'000);
  }
  StoreStats s = store.stats();
  EXPECT_LE(s.bytes, 80'000u);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_LE(s.objects, 8u);
  EXPECT_EQ(store.max_object_bytes(), 40'000u);
}

// The budget bounds the process's memory: an object is charged what it really takes (its
// structures, index entries and allocation slack), not only the bytes its filler counts.
TEST(MemoryStore, ChargesAnObjectsOwnStructuresAgainstTheBudget) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board, /*shard_count=*/1);
  auto obj = make_object(board, "/a-path-longer-than-the-small-string-buffer");
  obj->body->append(std::string(1000, 'x'));
  obj->body->complete();
  store.insert("k", 1, obj);
  store.account(obj, 1000);
  EXPECT_GE(store.stats().bytes, 1000 + fixed_object_bytes());
  EXPECT_GE(fixed_object_bytes(), sizeof(CachedObject) + sizeof(ObjectMeta) + sizeof(Fill));
}

TEST(MemoryStore, RemoveKeyDropsEveryVariant) {
  InvalidationBoard board;
  MemoryStore store(1 << 20, board);
  store.insert("k", 9, make_object(board, "/x", "1"));
  store.insert("k", 9, make_object(board, "/x", "2"));
  store.remove_key("k", 9);
  auto any = [](const ObjectMeta& m) -> std::optional<std::string> { return m.secondary_key; };
  EXPECT_EQ(store.find("k", 9, any), nullptr);
}

}  // namespace
}  // namespace edgefront::cache
