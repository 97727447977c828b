// Fuzzes the disk tier's invalidation journal lines (read back from disk after a crash):
// decode never crashes, and every line it accepts has exactly one of a path or a tag and
// survives encode -> decode unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cache/invalidation_journal.h"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invalidation_journal_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto rule = edgefront::cache::InvalidationJournal::decode(line);
  if (!rule) return 0;
  check(rule->path.empty() != rule->tag.empty(), "exactly one of path and tag");
  std::string encoded = edgefront::cache::InvalidationJournal::encode(*rule);
  check(!encoded.empty() && encoded.back() == '\n', "one line");
  check(encoded.find('\n') == encoded.size() - 1, "no newline inside");
  auto again = edgefront::cache::InvalidationJournal::decode(
      std::string_view(encoded).substr(0, encoded.size() - 1));
  check(again.has_value(), "re-decodes");
  check(again->seq == rule->seq && again->distribution_id == rule->distribution_id &&
            again->path == rule->path && again->tag == rule->tag && again->prefix == rule->prefix,
        "round trip");
  return 0;
}
