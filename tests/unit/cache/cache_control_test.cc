#include "cache/cache_control.h"

#include <gtest/gtest.h>

namespace edgefront::cache {
namespace {

using std::chrono::seconds;

TEST(ParseCacheControl, EmptyValueHasNoDirectives) {
  CacheControl cc = parse_cache_control("");
  EXPECT_FALSE(cc.max_age);
  EXPECT_FALSE(cc.s_maxage);
  EXPECT_FALSE(cc.no_store);
  EXPECT_FALSE(cc.no_cache);
  EXPECT_FALSE(cc.private_);
  EXPECT_FALSE(cc.public_);
}

TEST(ParseCacheControl, AllResponseDirectives) {
  CacheControl cc = parse_cache_control(
      "public, max-age=60, s-maxage=120, stale-while-revalidate=30, stale-if-error=300, "
      "must-revalidate, proxy-revalidate, immutable, no-transform, must-understand");
  EXPECT_EQ(cc.max_age, seconds(60));
  EXPECT_EQ(cc.s_maxage, seconds(120));
  EXPECT_EQ(cc.stale_while_revalidate, seconds(30));
  EXPECT_EQ(cc.stale_if_error, seconds(300));
  EXPECT_TRUE(cc.public_);
  EXPECT_TRUE(cc.must_revalidate);
  EXPECT_TRUE(cc.proxy_revalidate);
  EXPECT_TRUE(cc.immutable);
  EXPECT_TRUE(cc.no_transform);
  EXPECT_TRUE(cc.must_understand);
}

TEST(ParseCacheControl, RequestDirectives) {
  CacheControl cc = parse_cache_control("max-stale, min-fresh=5, only-if-cached");
  EXPECT_TRUE(cc.max_stale_any);
  EXPECT_FALSE(cc.max_stale);
  EXPECT_EQ(cc.min_fresh, seconds(5));
  EXPECT_TRUE(cc.only_if_cached);
  EXPECT_EQ(parse_cache_control("max-stale=7").max_stale, seconds(7));
}

TEST(ParseCacheControl, NamesAreCaseInsensitive) {
  CacheControl cc = parse_cache_control("MAX-AGE=5, No-Store, PRIVATE");
  EXPECT_EQ(cc.max_age, seconds(5));
  EXPECT_TRUE(cc.no_store);
  EXPECT_TRUE(cc.private_unqualified());
}

TEST(ParseCacheControl, QuotedNumberAccepted) {
  EXPECT_EQ(parse_cache_control("max-age=\"42\"").max_age, seconds(42));
}

TEST(ParseCacheControl, BadNumbersAreIgnored) {
  for (const char* v : {"max-age=abc", "max-age=-1", "max-age=", "max-age", "max-age=1.5",
                        "max-age=10s", "max-age=\"\"", "max-age=+5"}) {
    EXPECT_FALSE(parse_cache_control(v).max_age) << v;
  }
}

TEST(ParseCacheControl, HugeNumbersSaturate) {
  EXPECT_EQ(parse_cache_control("max-age=99999999999999999999999999").max_age, kMaxDeltaSeconds);
  EXPECT_EQ(parse_cache_control("s-maxage=2147483648").s_maxage, kMaxDeltaSeconds);
  EXPECT_EQ(parse_cache_control("s-maxage=2147483647").s_maxage, seconds(2147483647));
}

TEST(ParseCacheControl, ConflictingMaxAgeDuplicatesMeanStale) {
  EXPECT_EQ(parse_cache_control("max-age=60, max-age=120").max_age, seconds(0));
  EXPECT_EQ(parse_cache_control("s-maxage=1, s-maxage=2").s_maxage, seconds(0));
  EXPECT_EQ(parse_cache_control("max-age=60, max-age=60").max_age, seconds(60));
  // An invalid duplicate does not conflict.
  EXPECT_EQ(parse_cache_control("max-age=60, max-age=x").max_age, seconds(60));
}

TEST(ParseCacheControl, FirstStaleExtensionWins) {
  EXPECT_EQ(parse_cache_control("stale-if-error=5, stale-if-error=9").stale_if_error, seconds(5));
}

TEST(ParseCacheControl, QualifiedNoCacheListsFields) {
  CacheControl cc = parse_cache_control("no-cache=\"Set-Cookie, X-Secret\", max-age=5");
  EXPECT_TRUE(cc.no_cache);
  EXPECT_FALSE(cc.no_cache_unqualified());
  ASSERT_EQ(cc.no_cache_fields.size(), 2u);
  EXPECT_EQ(cc.no_cache_fields[0], "Set-Cookie");
  EXPECT_EQ(cc.no_cache_fields[1], "X-Secret");
  EXPECT_EQ(cc.max_age, seconds(5));
}

TEST(ParseCacheControl, TokenFormNoCacheField) {
  CacheControl cc = parse_cache_control("no-cache=Set-Cookie");
  EXPECT_FALSE(cc.no_cache_unqualified());
  ASSERT_EQ(cc.no_cache_fields.size(), 1u);
}

TEST(ParseCacheControl, UnqualifiedWinsOverQualifiedDuplicate) {
  CacheControl cc = parse_cache_control("no-cache=\"Set-Cookie\", no-cache");
  EXPECT_TRUE(cc.no_cache_unqualified());
  CacheControl p = parse_cache_control("private, private=\"X\"");
  EXPECT_TRUE(p.private_unqualified());
}

TEST(ParseCacheControl, QualifiedPrivate) {
  CacheControl cc = parse_cache_control("private=\"Set-Cookie\"");
  EXPECT_TRUE(cc.private_);
  EXPECT_FALSE(cc.private_unqualified());
  EXPECT_EQ(cc.private_fields.size(), 1u);
}

TEST(ParseCacheControl, CommaInsideQuotesDoesNotSplit) {
  CacheControl cc = parse_cache_control("no-cache=\"a, max-age=5\", public");
  EXPECT_FALSE(cc.max_age);
  EXPECT_TRUE(cc.public_);
}

TEST(ParseCacheControl, UnterminatedQuoteDoesNotCrash) {
  CacheControl cc = parse_cache_control("max-age=5, no-cache=\"Set-Cookie, public");
  EXPECT_EQ(cc.max_age, seconds(5));
  EXPECT_TRUE(cc.no_cache);
  EXPECT_FALSE(cc.public_);
}

TEST(ParseCacheControl, JunkAndEmptyElementsAreSkipped) {
  CacheControl cc = parse_cache_control(",, ,=,=5,max-age=7 ,foo=bar, \"x\",;;,public");
  EXPECT_EQ(cc.max_age, seconds(7));
  EXPECT_TRUE(cc.public_);
}

TEST(ParseCacheControl, WhitespaceAroundEquals) {
  EXPECT_EQ(parse_cache_control("max-age = 9").max_age, seconds(9));
}

TEST(TargetedCacheControl, ValidDictionary) {
  std::optional<CacheControl> cc =
      parse_targeted_cache_control("max-age=60, s-maxage=30, no-store, must-revalidate");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, seconds(60));
  EXPECT_EQ(cc->s_maxage, seconds(30));
  EXPECT_TRUE(cc->no_store);
  EXPECT_TRUE(cc->must_revalidate);
}

TEST(TargetedCacheControl, WrongTypesAreIgnoredButFieldIsValid) {
  std::optional<CacheControl> cc =
      parse_targeted_cache_control("max-age=\"60\", no-store=?0, public=1, s-maxage=-3");
  ASSERT_TRUE(cc);
  EXPECT_FALSE(cc->max_age);
  EXPECT_FALSE(cc->no_store);
  EXPECT_FALSE(cc->public_);
  EXPECT_FALSE(cc->s_maxage);
}

TEST(TargetedCacheControl, ParametersAndInnerListsAreValid) {
  std::optional<CacheControl> cc = parse_targeted_cache_control("max-age=5;a=1, foo=(a \"b\" 3)");
  ASSERT_TRUE(cc);
  EXPECT_EQ(cc->max_age, seconds(5));
}

TEST(TargetedCacheControl, LaterDuplicateWins) {
  EXPECT_EQ(parse_targeted_cache_control("max-age=5, max-age=9")->max_age, seconds(9));
}

TEST(TargetedCacheControl, NoCacheStringListsFields) {
  std::optional<CacheControl> cc = parse_targeted_cache_control("no-cache=\"Set-Cookie\"");
  ASSERT_TRUE(cc);
  EXPECT_TRUE(cc->no_cache);
  EXPECT_FALSE(cc->no_cache_unqualified());
}

TEST(TargetedCacheControl, InvalidDictionaries) {
  for (const char* v : {"Max-Age=5", "max-age=5,", "max-age=5 public", "max-age==5",
                        "max-age=\"unterminated", "max-age=5;", ",max-age=5", "max-age=(1 2",
                        "max-age=1234567890123456", "a=?2", "a=:%%:", "a=1.2345"}) {
    EXPECT_FALSE(parse_targeted_cache_control(v)) << v;
  }
}

TEST(TargetedCacheControl, EmptyIsValid) { EXPECT_TRUE(parse_targeted_cache_control("")); }

TEST(SelectedCacheControl, PlainCacheControl) {
  http::HeaderList h;
  h.add("Cache-Control", "max-age=10");
  h.add("Cache-Control", "public");
  SelectedCacheControl s = selected_cache_control(h);
  EXPECT_FALSE(s.targeted);
  EXPECT_EQ(s.field, "Cache-Control");
  EXPECT_EQ(s.directives.max_age, seconds(10));
  EXPECT_TRUE(s.directives.public_);
}

TEST(SelectedCacheControl, NoneAtAll) {
  http::HeaderList h;
  SelectedCacheControl s = selected_cache_control(h);
  EXPECT_TRUE(s.field.empty());
  EXPECT_FALSE(s.targeted);
}

TEST(SelectedCacheControl, CdnCacheControlReplacesCacheControl) {
  http::HeaderList h;
  h.add("Cache-Control", "no-store");
  h.add("CDN-Cache-Control", "max-age=600");
  SelectedCacheControl s = selected_cache_control(h);
  EXPECT_TRUE(s.targeted);
  EXPECT_EQ(s.field, "CDN-Cache-Control");
  EXPECT_FALSE(s.directives.no_store);
  EXPECT_EQ(s.directives.max_age, seconds(600));
}

TEST(SelectedCacheControl, EdgefrontFieldBeatsCdnField) {
  http::HeaderList h;
  h.add("CDN-Cache-Control", "max-age=600");
  h.add("edgefront-cache-control", "max-age=5");
  SelectedCacheControl s = selected_cache_control(h);
  EXPECT_EQ(s.field, "Edgefront-Cache-Control");
  EXPECT_EQ(s.directives.max_age, seconds(5));
}

TEST(SelectedCacheControl, InvalidTargetedFieldFallsBack) {
  http::HeaderList h;
  h.add("Edgefront-Cache-Control", "Max-Age=5");  // uppercase key: not a dictionary
  h.add("CDN-Cache-Control", "max-age=7");
  h.add("Cache-Control", "max-age=9");
  EXPECT_EQ(selected_cache_control(h).directives.max_age, seconds(7));
  h.remove("CDN-Cache-Control");
  SelectedCacheControl s = selected_cache_control(h);
  EXPECT_FALSE(s.targeted);
  EXPECT_EQ(s.directives.max_age, seconds(9));
}

TEST(SelectedCacheControl, MultipleTargetedLinesCombine) {
  http::HeaderList h;
  h.add("CDN-Cache-Control", "max-age=7");
  h.add("CDN-Cache-Control", "no-store");
  SelectedCacheControl s = selected_cache_control(h);
  EXPECT_EQ(s.directives.max_age, seconds(7));
  EXPECT_TRUE(s.directives.no_store);
}

}  // namespace
}  // namespace edgefront::cache
