// Invalidations as bans (Varnish's idea): a submitted invalidation becomes a rule with a
// sequence number; a cached object is checked lazily, on its next lookup, against the rules
// newer than the ones it already passed. No scan of the cache, effective at once on every
// worker, and the hot path costs one atomic load when nothing new was submitted.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "cache/cached_object.h"

namespace edgefront::cache {

// One CloudFront invalidation path: "/exact", "/prefix*" (a `*` only at the end), or a
// cache tag "#tag".
struct InvalidationRule {
  uint64_t seq = 0;
  std::string distribution_id;
  std::string path;  // without the trailing '*'
  bool prefix = false;
  std::string tag;  // lower case; set for "#tag" items instead of a path

  bool matches(const ObjectMeta& meta) const;
};

// Parses one path item of an invalidation batch; the error says what is wrong with it.
Result<InvalidationRule> parse_invalidation_path(std::string_view item);

struct Invalidation {
  std::string id;
  std::string distribution_id;
  std::string caller_reference;
  std::vector<std::string> paths;
  SystemTime create_time{};
};

class InvalidationBoard {
 public:
  explicit InvalidationBoard(size_t max_rules = 100000) : max_rules_(max_rules) {}

  // CloudFront semantics: the same CallerReference with the same paths returns the existing
  // invalidation; with different paths it is an error (InvalidationBatchAlreadyExists).
  Result<Invalidation> submit(std::string distribution_id, std::string caller_reference,
                              std::vector<std::string> paths, SystemTime now);
  std::optional<Invalidation> find(std::string_view id) const;
  std::vector<Invalidation> list(std::string_view distribution_id) const;
  // Invalidations accepted so far, and the ones from the `from`-th on (at most `max`, oldest
  // first): the status page's feed.
  size_t count() const;
  std::vector<Invalidation> since(size_t from, size_t max) const;

  // Hears every accepted invalidation's rules (with their sequence numbers) before they take
  // effect and before submit() returns: the disk tier records them so a crash cannot lose
  // them. Set once, before any submit.
  void set_journal(std::function<void(const std::vector<InvalidationRule>&)> journal) {
    journal_ = std::move(journal);
  }

  uint64_t sequence() const { return sequence_.load(std::memory_order_acquire); }
  // True if a rule newer than `checked` matches; rules forgotten to bound memory count as
  // matching (an over-eager purge is safe, serving invalidated content is not).
  bool invalidated_since(const ObjectMeta& meta, uint64_t checked) const;

 private:
  struct Rules {
    uint64_t floor = 0;  // rules at or below this were dropped
    std::vector<InvalidationRule> items;
  };
  mutable std::mutex mu_;
  std::vector<Invalidation> invalidations_;
  std::atomic<std::shared_ptr<const Rules>> rules_{std::make_shared<const Rules>()};
  std::atomic<uint64_t> sequence_{0};
  size_t max_rules_;
  uint64_t next_id_ = 1;
  std::function<void(const std::vector<InvalidationRule>&)> journal_;
};

}  // namespace edgefront::cache
