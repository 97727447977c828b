#include "upstream/fault_table.h"

#include <gtest/gtest.h>

namespace edgefront::upstream {
namespace {

FaultSpec spec(std::string origin, FaultKind kind, std::string distribution = "") {
  FaultSpec s;
  s.origin = std::move(origin);
  s.kind = kind;
  s.distribution = std::move(distribution);
  return s;
}

TEST(FaultTable, EmptyFindsNothing) {
  FaultTable t;
  EXPECT_EQ(t.find("main", "primary"), nullptr);
  EXPECT_TRUE(t.list().empty());
}

TEST(FaultTable, AddFindRemove) {
  FaultTable t;
  FaultRef a = t.add(spec("primary", FaultKind::kRefuse), nullptr, nullptr);
  FaultRef b = t.add(spec("secondary", FaultKind::kBlackhole), nullptr, nullptr);
  EXPECT_EQ(a->id, 1u);
  EXPECT_EQ(b->id, 2u);
  EXPECT_EQ(t.find("main", "primary"), a);
  EXPECT_EQ(t.find("other", "primary"), a);  // no distribution named: every distribution
  EXPECT_EQ(t.find("main", "secondary"), b);
  EXPECT_EQ(t.find("main", "third"), nullptr);
  EXPECT_EQ(t.remove(1), a);
  EXPECT_EQ(t.remove(1), nullptr);
  EXPECT_EQ(t.find("main", "primary"), nullptr);
  EXPECT_EQ(t.find("main", "secondary"), b);
  EXPECT_EQ(t.list().size(), 1u);
}

TEST(FaultTable, SameOriginReplacesAndIdsAreNotReused) {
  FaultTable t;
  t.add(spec("primary", FaultKind::kRefuse), nullptr, nullptr);
  std::optional<FaultRef> replaced;
  FaultRef second = t.add(spec("primary", FaultKind::kDelay), nullptr, &replaced);
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ((*replaced)->id, 1u);
  EXPECT_EQ(second->id, 2u);
  EXPECT_EQ(t.list().size(), 1u);
  EXPECT_EQ(t.find("main", "primary")->spec.kind, FaultKind::kDelay);
  t.clear();
  EXPECT_EQ(t.add(spec("primary", FaultKind::kRefuse), nullptr, nullptr)->id, 3u);
}

TEST(FaultTable, DistributionSpecificFaultWins) {
  FaultTable t;
  FaultRef everywhere = t.add(spec("primary", FaultKind::kRefuse), nullptr, nullptr);
  std::optional<FaultRef> replaced;
  FaultRef scoped = t.add(spec("primary", FaultKind::kDelay, "main"), nullptr, &replaced);
  EXPECT_FALSE(replaced.has_value());  // a different scope: both stay
  EXPECT_EQ(t.find("main", "primary"), scoped);
  EXPECT_EQ(t.find("other", "primary"), everywhere);
}

TEST(FaultTable, ClearReturnsEverything) {
  FaultTable t;
  t.add(spec("a", FaultKind::kRefuse), nullptr, nullptr);
  t.add(spec("b", FaultKind::kRefuse), nullptr, nullptr);
  EXPECT_EQ(t.clear().size(), 2u);
  EXPECT_EQ(t.find("main", "a"), nullptr);
  EXPECT_TRUE(t.clear().empty());
}

TEST(FaultTable, SnapshotOutlivesRemoval) {
  FaultTable t;
  t.add(spec("a", FaultKind::kStatus), nullptr, nullptr);
  FaultRef held = t.find("main", "a");  // what a worker holds during an attempt
  t.clear();
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->spec.origin, "a");
}

}  // namespace
}  // namespace edgefront::upstream
