// The nesting bounds: the lexical flow scan and the event pass behind it.
#include "config/nesting_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace edgefront::config::detail {
namespace {

TEST(NestingDepthTest, FlowScanCountsOnlyIndicators) {
  struct Case {
    std::string text;
    bool beyond;  // with a limit of 2
  };
  const Case cases[] = {
      {"[[1]]", false},
      {"[[[1]]]", true},
      {"{\"a\": {\"b\": [1]}}", true},
      {"{\"a\": \"[[[[\", \"b\": '{{{'}", false},    // quoted
      {"a: \"x\\\"[[[\"\nb: 'it''s [[['\n", false},  // escaped quotes stay inside
      {"a: b[[[c\n", false},                         // inside a plain scalar
      {"a: [1] # [[[[\n", false},                    // a comment
      {"a: x#[[[\n", false},                         // '#' not after a space: plain scalar
      {"a: [[1], [2], [3]]\n", false},               // siblings do not add up
      {"- [[1]]\n- [[2]]\n", false},
      {"- [[[1]]]\n", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(find_flow_nesting_beyond(c.text, 2).has_value(), c.beyond) << c.text;
  }
}

TEST(NestingDepthTest, ReportsWhereTheLimitIsPassed) {
  auto at = find_flow_nesting_beyond("a:\n  b: [[\n   [1]]]\n", 2);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->line, 3);
  EXPECT_EQ(at->column, 4);
}

TEST(NestingDepthTest, BlockNestingIsCountedByTheEventPass) {
  std::string text = "a:\n  b:\n    c:\n      d: 1\n";  // 4 mappings deep
  EXPECT_FALSE(find_nesting_beyond(text, 4).has_value());
  auto at = find_nesting_beyond(text, 3);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->line, 4);
  // Block and flow together: 3 block levels and 2 flow ones.
  EXPECT_TRUE(find_nesting_beyond("a:\n  b:\n    c: [[1]]\n", 4).has_value());
  EXPECT_FALSE(find_nesting_beyond("a:\n  b:\n    c: [[1]]\n", 5).has_value());
}

TEST(NestingDepthTest, LargeFlowNestingIsCutShortCheaply) {
  std::string text = std::string(1 << 22, '[') + std::string(1 << 22, ']');
  auto at = find_nesting_beyond(text, 64);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->column, 65);
}

}  // namespace
}  // namespace edgefront::config::detail
