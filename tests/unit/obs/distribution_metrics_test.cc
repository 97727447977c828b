#include "obs/distribution_metrics.h"

#include <gtest/gtest.h>

namespace edgefront::obs {
namespace {

TEST(DistributionMetrics, RecordsCloudFrontMeanings) {
  Registry registry(2);
  DistributionMetrics m(registry, "web");
  m.record_request(0, 200, 0, 1024, 0.001);
  m.record_request(1, 404, 0, 15, 0.002);
  m.record_request(1, 403, 0, 0, 0.002);
  m.record_request(0, 418, 0, 0, 0.002);  // a 4xx without a rate of its own
  m.record_request(0, 503, 100, 0, 0.5);
  m.record_request(0, 304, 0, 0, 0.0001);
  m.record_lookup(0, true);
  m.record_lookup(1, false);
  m.record_lookup(1, true);
  DistributionMetrics::Totals t = m.totals();
  EXPECT_EQ(t.requests, 6u);
  EXPECT_EQ(t.bytes_downloaded, 1039u);
  EXPECT_EQ(t.bytes_uploaded, 100u);
  EXPECT_EQ(t.by_class, (std::array<uint64_t, 5>{0, 1, 1, 3, 1}));
  // 401, 403, 404, 502, 503, 504
  EXPECT_EQ(t.by_code, (std::array<uint64_t, 6>{0, 1, 1, 0, 1, 0}));
  EXPECT_EQ(t.lookups, 3u);
  EXPECT_EQ(t.hits, 2u);
  EXPECT_EQ(m.duration()->snapshot().count, 6u);

  // The same distribution id reaches the same counters (a reload keeps the totals).
  DistributionMetrics again(registry, "web");
  EXPECT_EQ(again.totals().requests, 6u);
  std::string text = registry.render();
  EXPECT_NE(text.find("edgefront_distribution_error_responses_total{distribution=\"web\","
                      "code=\"503\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("edgefront_distribution_request_duration_seconds_count{distribution="
                      "\"web\"} 6"),
            std::string::npos);
}

TEST(ReportedErrorIndex, Table) {
  EXPECT_EQ(reported_error_index(401), 0);
  EXPECT_EQ(reported_error_index(504), 5);
  EXPECT_EQ(reported_error_index(500), -1);
  EXPECT_EQ(reported_error_index(200), -1);
}

}  // namespace
}  // namespace edgefront::obs
