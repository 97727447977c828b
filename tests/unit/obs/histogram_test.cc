#include "obs/histogram.h"

#include <gtest/gtest.h>

namespace edgefront::obs {
namespace {

const HistogramSpec kSpec{"test_seconds", "A test histogram.", {"group"}, {0.1, 1, 10}};

TEST(Histogram, BucketsCountAndSumAcrossSlots) {
  Histogram h(3, {0.1, 1, 10});
  h.observe(0, 0.05);  // <= 0.1
  h.observe(1, 0.1);   // on a bound: that bucket (le is inclusive)
  h.observe(2, 0.5);
  h.observe(0, 100);  // +Inf
  HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{2, 1, 0, 1}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.sum, 100.65);
}

TEST(Histogram, QuantileBounds) {
  Histogram h(1, {1, 2, 5});
  EXPECT_EQ(h.snapshot().quantile_bound(0.5), 0);  // empty
  for (int i = 0; i < 90; ++i) h.observe(0, 0.5);
  for (int i = 0; i < 9; ++i) h.observe(0, 1.5);
  h.observe(0, 4);
  HistogramSnapshot s = h.snapshot();
  EXPECT_EQ(s.quantile_bound(0.5), 1);
  EXPECT_EQ(s.quantile_bound(0.9), 1);
  EXPECT_EQ(s.quantile_bound(0.99), 2);
  EXPECT_EQ(s.quantile_bound(1.0), 5);
  h.observe(0, 50);  // beyond the last bound: reported as the last finite bound
  EXPECT_EQ(h.snapshot().quantile_bound(1.0), 5);
}

TEST(HistogramFamily, PrometheusText) {
  HistogramFamily f(kSpec, 2);
  Histogram* a = f.get({"g\"1"});
  EXPECT_EQ(f.get({"g\"1"}), a);
  a->observe(0, 0.5);
  a->observe(1, 20);
  std::string out;
  f.render(out);
  EXPECT_NE(out.find("# TYPE test_seconds histogram\n"), std::string::npos) << out;
  EXPECT_NE(out.find("test_seconds_bucket{group=\"g\\\"1\",le=\"0.1\"} 0\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("test_seconds_bucket{group=\"g\\\"1\",le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("test_seconds_bucket{group=\"g\\\"1\",le=\"10\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("test_seconds_bucket{group=\"g\\\"1\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("test_seconds_sum{group=\"g\\\"1\"} 20.5\n"), std::string::npos);
  EXPECT_NE(out.find("test_seconds_count{group=\"g\\\"1\"} 2\n"), std::string::npos);
}

}  // namespace
}  // namespace edgefront::obs

namespace edgefront::obs {
namespace {

// Regression: the rank was floor(q * count), so p99 of two samples reported the smaller.
TEST(Histogram, QuantileRankRoundsUp) {
  Histogram h(1, {1, 2});
  h.observe(0, 0.5);
  h.observe(0, 1.5);
  EXPECT_EQ(h.snapshot().quantile_bound(0.99), 2);
  EXPECT_EQ(h.snapshot().quantile_bound(0.5), 1);
}

}  // namespace
}  // namespace edgefront::obs
