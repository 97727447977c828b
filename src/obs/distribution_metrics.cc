#include "obs/distribution_metrics.h"

#include <fmt/format.h>

namespace edgefront::obs {

DistributionMetrics::DistributionMetrics(Registry& r, const std::string& d)
    : requests_(r.dist_requests.get({d})),
      bytes_downloaded_(r.dist_bytes_downloaded.get({d})),
      bytes_uploaded_(r.dist_bytes_uploaded.get({d})),
      lookups_(r.dist_cache_lookups.get({d})),
      hits_(r.dist_cache_hits.get({d})),
      duration_(r.request_duration.get({d})) {
  for (int c = 0; c < 5; ++c) by_class_[c] = r.dist_responses.get({d, fmt::format("{}xx", c + 1)});
  for (size_t i = 0; i < kReportedErrorCodes.size(); ++i) {
    by_code_[i] = r.dist_error_codes.get({d, std::to_string(kReportedErrorCodes[i])});
  }
}

DistributionMetrics::Totals DistributionMetrics::totals() const {
  Totals t;
  if (!requests_) return t;
  t.requests = requests_->value();
  t.bytes_downloaded = bytes_downloaded_->value();
  t.bytes_uploaded = bytes_uploaded_->value();
  t.lookups = lookups_->value();
  t.hits = hits_->value();
  for (size_t i = 0; i < by_class_.size(); ++i) t.by_class[i] = by_class_[i]->value();
  for (size_t i = 0; i < by_code_.size(); ++i) t.by_code[i] = by_code_[i]->value();
  return t;
}

}  // namespace edgefront::obs
