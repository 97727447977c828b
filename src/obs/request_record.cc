#include "obs/request_record.h"

namespace edgefront::obs {

std::string_view edge_result_name(EdgeResult result) {
  switch (result) {
    case EdgeResult::kMiss:
      return "Miss";
    case EdgeResult::kHit:
      return "Hit";
    case EdgeResult::kRefreshHit:
      return "RefreshHit";
    case EdgeResult::kError:
      return "Error";
    case EdgeResult::kRedirect:
      return "Redirect";
    case EdgeResult::kLimitExceeded:
      return "LimitExceeded";
    case EdgeResult::kCapacityExceeded:
      return "CapacityExceeded";
  }
  return "Error";
}

std::string_view x_cache_value(EdgeResult result) {
  switch (result) {
    case EdgeResult::kMiss:
      return "Miss from edgefront";
    case EdgeResult::kHit:
      return "Hit from edgefront";
    case EdgeResult::kRefreshHit:
      return "RefreshHit from edgefront";
    case EdgeResult::kRedirect:
      return "Redirect from edgefront";
    case EdgeResult::kLimitExceeded:
      return "LimitExceeded from edgefront";
    case EdgeResult::kCapacityExceeded:
      return "CapacityExceeded from edgefront";
    case EdgeResult::kError:
      break;
  }
  return "Error from edgefront";
}

}  // namespace edgefront::obs
