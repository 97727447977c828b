// Fuzzes the checks on an origin's answer to a continuation request (origin input): a
// Content-Range parsed is ordered and inside its complete length, and a splice is only ever
// the rest of the planned body from the offset.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "upstream/resume_policy.h"

using namespace edgefront;

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "resume_policy_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  uint64_t offset = 0;
  if (size >= sizeof(offset)) {
    std::memcpy(&offset, data, sizeof(offset));
    if (data[0] & 1) offset %= 100000;
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto range = upstream::parse_content_range(text)) {
    check(range->first <= range->last, "first <= last");
    check(!range->complete || range->last < *range->complete, "inside the complete length");
  }
  upstream::ResumePlan plan;
  plan.if_range = plan.etag = "\"v1\"";
  if (data != nullptr && size > 0 && (data[size - 1] & 1)) plan.length = 100000;
  http::ResponseHead head;
  head.status = 206;
  head.headers.add("ETag", "\"v1\"");
  head.headers.add("Content-Range", text);
  if (upstream::check_continuation(plan, offset, head) == upstream::ContinuationCheck::kSplice) {
    auto range = upstream::parse_content_range(text);
    check(range && range->first == offset && range->complete && range->last + 1 == *range->complete,
          "a splice is the rest from the offset");
    check(!plan.length || *range->complete == *plan.length, "of the planned length");
  }
  return 0;
}
