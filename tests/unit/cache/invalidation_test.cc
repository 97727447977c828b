#include "cache/invalidation.h"

#include <gtest/gtest.h>

namespace edgefront::cache {
namespace {

ObjectMeta object(std::string path, std::vector<std::string> tags = {}) {
  ObjectMeta m;
  m.distribution_id = "d1";
  m.path = std::move(path);
  m.tags = std::move(tags);
  return m;
}

TEST(InvalidationPath, ParsesCloudFrontShapes) {
  auto exact = parse_invalidation_path("/a/b.png");
  ASSERT_TRUE(exact.ok());
  EXPECT_FALSE(exact->prefix);
  auto prefix = parse_invalidation_path("/images/*");
  ASSERT_TRUE(prefix.ok());
  EXPECT_TRUE(prefix->prefix);
  EXPECT_EQ(prefix->path, "/images/");
  auto tag = parse_invalidation_path("#Product:TV");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->tag, "product:tv");
  for (const char* bad : {"", "a/b", "/a*/b", "/*x", "#", "#a,b", "#a b"}) {
    EXPECT_FALSE(parse_invalidation_path(bad).ok()) << bad;
  }
  EXPECT_FALSE(parse_invalidation_path("/" + std::string(4000, 'a')).ok());
}

TEST(InvalidationRule, MatchesExactPrefixTagAndDistribution) {
  InvalidationRule exact = parse_invalidation_path("/img.jpg").value();
  exact.distribution_id = "d1";
  EXPECT_TRUE(exact.matches(object("/img.jpg")));
  EXPECT_FALSE(exact.matches(object("/img.jpg?x=1"))) << "query variants need a wildcard";
  InvalidationRule star = parse_invalidation_path("/img.jpg*").value();
  star.distribution_id = "d1";
  EXPECT_TRUE(star.matches(object("/img.jpg?x=1")));
  EXPECT_FALSE(star.matches(object("/IMG.jpg"))) << "paths are case-sensitive";
  InvalidationRule tag = parse_invalidation_path("#News").value();
  tag.distribution_id = "d1";
  EXPECT_TRUE(tag.matches(object("/x", {"news"})));
  EXPECT_FALSE(tag.matches(object("/x", {"sport"})));
  star.distribution_id = "d2";
  EXPECT_FALSE(star.matches(object("/img.jpg")));
}

TEST(InvalidationBoard, OnlyRulesNewerThanTheObjectApply) {
  InvalidationBoard board;
  SystemTime now{};
  uint64_t before = board.sequence();
  ASSERT_TRUE(board.submit("d1", "r1", {"/a"}, now).ok());
  EXPECT_TRUE(board.invalidated_since(object("/a"), before));
  EXPECT_FALSE(board.invalidated_since(object("/a"), board.sequence()))
      << "stored after the invalidation";
  EXPECT_FALSE(board.invalidated_since(object("/b"), before));
}

TEST(InvalidationBoard, CallerReferenceIsIdempotent) {
  InvalidationBoard board;
  auto first = board.submit("d1", "ref", {"/a"}, SystemTime{});
  auto again = board.submit("d1", "ref", {"/a"}, SystemTime{});
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->id, again->id);
  auto conflict = board.submit("d1", "ref", {"/b"}, SystemTime{});
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.error().message.find("InvalidationBatchAlreadyExists"), std::string::npos);
  EXPECT_TRUE(board.find(first->id).has_value());
  EXPECT_FALSE(board.find("nope").has_value());
  EXPECT_FALSE(board.submit("d1", "", {}, SystemTime{}).ok());
}

TEST(InvalidationBoard, ForgottenRulesInvalidateConservatively) {
  InvalidationBoard board(/*max_rules=*/2);
  uint64_t start = board.sequence();
  ASSERT_TRUE(board.submit("d1", "", {"/a", "/b", "/c"}, SystemTime{}).ok());
  // "/a" was dropped to stay within two rules: anything older must count as invalidated.
  EXPECT_TRUE(board.invalidated_since(object("/zzz"), start));
  EXPECT_FALSE(board.invalidated_since(object("/zzz"), board.sequence()));
}

}  // namespace
}  // namespace edgefront::cache
