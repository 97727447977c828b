// Fuzzes invalidation paths (admin API input): every accepted item is a '/'-rooted path with
// at most a trailing '*', or a '#' tag of printable ASCII; a batch of items either becomes
// one invalidation with one rule per item or is refused whole.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cache/invalidation.h"

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "invalidation_fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> items;
  bool all_valid = true;
  while (true) {
    size_t nl = input.find('\n');
    std::string_view item = input.substr(0, nl);
    items.emplace_back(item);
    auto rule = edgefront::cache::parse_invalidation_path(item);
    if (rule.ok()) {
      if (rule->tag.empty()) {
        check(!rule->path.empty() && rule->path.front() == '/', "path without leading '/'");
        check(rule->path.find('*') == std::string::npos, "'*' left inside a path");
      } else {
        for (char c : rule->tag) check(c > 32 && c < 127 && c != ',', "bad tag character");
        check(rule->tag.size() <= 256, "tag too long");
      }
    } else {
      all_valid = false;
    }
    if (nl == std::string_view::npos) break;
    input.remove_prefix(nl + 1);
  }
  edgefront::cache::InvalidationBoard board(/*max_rules=*/4);
  uint64_t before = board.sequence();
  auto inv = board.submit("d", "ref", items, edgefront::SystemTime{});
  check(inv.ok() == all_valid, "batch accepted with a bad item, or refused without one");
  check(board.sequence() == (inv.ok() ? before + items.size() : before), "sequence drift");
  return 0;
}
