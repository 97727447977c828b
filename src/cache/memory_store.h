// The shared in-memory cache: sharded by key hash (one mutex per shard, so workers rarely
// meet), byte-bounded with a pluggable eviction policy per shard, Vary variants per key, and
// one pending fetch per key that concurrent misses join (request collapsing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/cached_object.h"
#include "cache/eviction.h"
#include "cache/invalidation.h"

namespace edgefront::cache {

struct StoreStats {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t capacity = 0;
  uint64_t evictions = 0;
};

class MemoryStore {
 public:
  using PolicyFactory = std::unique_ptr<EvictionPolicy> (*)(uint64_t capacity_bytes);
  MemoryStore(uint64_t capacity_bytes, const InvalidationBoard& invalidations,
              size_t shard_count = 8, PolicyFactory policy = &make_s3fifo);

  // A fetch in progress for one key. Requests that find it wait for its outcome instead of
  // going to the origin themselves.
  struct Pending {
    enum class Outcome { kWaiting, kStored, kNotStored };
    std::mutex mu;
    Outcome outcome = Outcome::kWaiting;
    std::shared_ptr<CachedObject> object;  // kStored: what the fetch stored
    std::vector<std::function<void()>> wakers;
    void resolve(Outcome outcome, std::shared_ptr<CachedObject> object);
    net::awaitable<void> wait();
    // Waits at most `limit`; true if the fetch was resolved by then.
    net::awaitable<bool> wait_for(std::chrono::milliseconds limit);
  };

  struct Lookup {
    std::shared_ptr<CachedObject> object;  // a usable variant (fresh or not), if any
    std::shared_ptr<Pending> pending;      // set when the caller must wait or lead a fetch
    bool leader = false;                   // the caller must fetch and then resolve `pending`
  };

  // Finds the variant whose Vary selection matches `secondary_key_of` for this request.
  // Objects matched by an invalidation are dropped on the way.
  template <class SecondaryKeyFn>
  std::shared_ptr<CachedObject> find(const std::string& primary, uint64_t hash,
                                     SecondaryKeyFn&& secondary_key_of);

  // Joins the pending fetch of the key, or makes the caller its leader.
  Lookup join_or_lead(const std::string& primary, uint64_t hash);

  // Publishes an object for the key (replacing the variant with the same secondary key).
  // Its bytes count against the budget once `account` is called (when its body is whole).
  void insert(const std::string& primary, uint64_t hash, std::shared_ptr<CachedObject> object);
  void account(const std::shared_ptr<CachedObject>& object, uint64_t bytes);
  // Ends the leader's pending fetch (whatever happened) and wakes its waiters.
  void finish_pending(uint64_t hash, const std::shared_ptr<Pending>& pending,
                      Pending::Outcome outcome, std::shared_ptr<CachedObject> object);
  // Drops one object (e.g. its body failed, or an unsafe method invalidated it).
  void remove(const std::shared_ptr<CachedObject>& object);
  // Drops every variant of the key.
  void remove_key(const std::string& primary, uint64_t hash);

  StoreStats stats() const;
  uint64_t capacity_bytes() const { return capacity_; }
  // The largest body kept: half a shard's budget.
  uint64_t max_object_bytes() const { return capacity_ / shards_.size() / 2; }

 private:
  struct Entry {
    // A second, independent hash of the primary key instead of the key itself: with the
    // index hash that is 128 bits to tell keys apart, and no heap string per entry.
    uint64_t check = 0;
    std::vector<std::shared_ptr<CachedObject>> variants;
    std::shared_ptr<Pending> pending;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, Entry> entries;   // by primary key hash
    std::unordered_map<uint64_t, uint64_t> owner;  // object id -> primary key hash
    std::unique_ptr<EvictionPolicy> policy;
    uint64_t evictions = 0;
  };
  Shard& shard(uint64_t hash) { return shards_[hash % shards_.size()]; }
  void erase_object_locked(Shard& s, Entry& e, size_t index);
  void evict_locked(Shard& s, const std::vector<uint64_t>& ids);
  bool check_invalidations(const std::shared_ptr<CachedObject>& object);
  static uint64_t key_check(const std::string& primary);

  uint64_t capacity_;
  const InvalidationBoard& invalidations_;
  std::vector<Shard> shards_;
};

template <class SecondaryKeyFn>
std::shared_ptr<CachedObject> MemoryStore::find(const std::string& primary, uint64_t hash,
                                                SecondaryKeyFn&& secondary_key_of) {
  const uint64_t check = key_check(primary);
  Shard& s = shard(hash);
  std::lock_guard lock(s.mu);
  auto it = s.entries.find(hash);
  if (it == s.entries.end() || it->second.check != check) return nullptr;
  Entry& e = it->second;
  for (size_t i = 0; i < e.variants.size(); ++i) {
    const std::shared_ptr<CachedObject>& obj = e.variants[i];
    if (!check_invalidations(obj)) {
      erase_object_locked(s, e, i);
      --i;
      continue;
    }
    const ObjectMeta& m = *obj->meta;
    std::optional<std::string> wanted = secondary_key_of(m);
    if (!wanted || *wanted != m.secondary_key) continue;
    if (obj->accounted.load(std::memory_order_relaxed)) s.policy->on_hit(obj->id);
    return obj;
  }
  if (e.variants.empty() && !e.pending) s.entries.erase(it);
  return nullptr;
}

}  // namespace edgefront::cache
