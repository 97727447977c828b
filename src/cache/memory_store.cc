#include "cache/memory_store.h"

#include <xxhash.h>

#include "cache/object_footprint.h"
#include "cache/wakeup.h"

namespace edgefront::cache {

void MemoryStore::Pending::resolve(Outcome result, std::shared_ptr<CachedObject> stored) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu);
    if (outcome != Outcome::kWaiting) return;
    outcome = result;
    object = std::move(stored);
    wake.swap(wakers);
  }
  for (auto& w : wake) w();
}

net::awaitable<void> MemoryStore::Pending::wait() {
  Wakeup wakeup(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  {
    std::lock_guard lock(mu);
    if (outcome != Outcome::kWaiting) co_return;
    wakers.push_back(wakeup.trigger());
  }
  co_await wakeup.wait();
}

net::awaitable<bool> MemoryStore::Pending::wait_for(std::chrono::milliseconds limit) {
  Wakeup wakeup(co_await asio::this_coro::executor, asio::steady_timer::clock_type::now() + limit);
  {
    std::lock_guard lock(mu);
    if (outcome != Outcome::kWaiting) co_return true;
    wakers.push_back(wakeup.trigger());
  }
  co_await wakeup.wait();
  std::lock_guard lock(mu);
  co_return outcome != Outcome::kWaiting;
}

MemoryStore::MemoryStore(uint64_t capacity_bytes, const InvalidationBoard& invalidations,
                         size_t shard_count, PolicyFactory policy)
    : capacity_(capacity_bytes), invalidations_(invalidations), shards_(shard_count) {
  for (Shard& s : shards_) s.policy = policy(capacity_bytes / shard_count);
}

bool MemoryStore::check_invalidations(const std::shared_ptr<CachedObject>& object) {
  uint64_t current = invalidations_.sequence();
  uint64_t checked = object->checked_invalidations.load(std::memory_order_relaxed);
  if (checked >= current) return true;
  if (invalidations_.invalidated_since(*object->meta, checked)) return false;
  object->checked_invalidations.store(current, std::memory_order_relaxed);
  return true;
}

uint64_t MemoryStore::key_check(const std::string& primary) {
  // Any seed but the index hash's (0) makes the two hashes independent.
  constexpr uint64_t kCheckSeed = 0x9e3779b97f4a7c15ull;
  return XXH3_64bits_withSeed(primary.data(), primary.size(), kCheckSeed);
}

MemoryStore::Lookup MemoryStore::join_or_lead(const std::string& primary, uint64_t hash) {
  const uint64_t check = key_check(primary);
  Shard& s = shard(hash);
  std::lock_guard lock(s.mu);
  Lookup out;
  auto [it, inserted] = s.entries.try_emplace(hash);
  Entry& e = it->second;
  if (inserted) e.check = check;
  if (e.check != check) {
    // A 64-bit hash collision: this key cannot share the slot. Fetch without collapsing.
    out.pending = std::make_shared<Pending>();
    out.leader = true;
    return out;
  }
  if (e.pending) {
    out.pending = e.pending;
    return out;
  }
  e.pending = std::make_shared<Pending>();
  out.pending = e.pending;
  out.leader = true;
  return out;
}

void MemoryStore::finish_pending(uint64_t hash, const std::shared_ptr<Pending>& pending,
                                 Pending::Outcome outcome, std::shared_ptr<CachedObject> object) {
  {
    Shard& s = shard(hash);
    std::lock_guard lock(s.mu);
    auto it = s.entries.find(hash);
    if (it != s.entries.end() && it->second.pending == pending) {
      it->second.pending.reset();
      if (it->second.variants.empty()) s.entries.erase(it);
    }
  }
  pending->resolve(outcome, std::move(object));
}

void MemoryStore::insert(const std::string& primary, uint64_t hash,
                         std::shared_ptr<CachedObject> object) {
  object->primary_hash = hash;
  object->id = XXH3_64bits_withSeed(object->meta->secondary_key.data(),
                                    object->meta->secondary_key.size(), hash);
  const uint64_t check = key_check(primary);
  Shard& s = shard(hash);
  std::lock_guard lock(s.mu);
  auto [it, inserted] = s.entries.try_emplace(hash);
  Entry& e = it->second;
  if (inserted) e.check = check;
  if (e.check != check) return;  // hash collision: not cached
  for (size_t i = 0; i < e.variants.size(); ++i) {
    if (e.variants[i]->meta->secondary_key == object->meta->secondary_key) {
      erase_object_locked(s, e, i);
      break;
    }
  }
  auto owner = s.owner.find(object->id);
  if (owner != s.owner.end() && owner->second != hash) return;  // id collision: not cached
  s.owner[object->id] = hash;
  e.variants.push_back(std::move(object));
}

void MemoryStore::account(const std::shared_ptr<CachedObject>& object, uint64_t bytes) {
  Shard& s = shard(object->primary_hash);
  std::lock_guard lock(s.mu);
  auto owner = s.owner.find(object->id);
  if (owner == s.owner.end() || object->accounted.load()) return;  // replaced or evicted already
  auto entry = s.entries.find(object->primary_hash);
  if (entry == s.entries.end()) return;
  bool present = false;
  for (const auto& v : entry->second.variants) present = present || v == object;
  if (!present) return;
  object->accounted.store(true);
  std::vector<uint64_t> evicted;
  // The budget bounds memory, not only bodies: charge what the object really takes.
  s.policy->insert(object->id, bytes + object_overhead_bytes(*object), evicted);
  evict_locked(s, evicted);
}

void MemoryStore::evict_locked(Shard& s, const std::vector<uint64_t>& ids) {
  for (uint64_t id : ids) {
    auto owner = s.owner.find(id);
    if (owner == s.owner.end()) continue;
    auto entry = s.entries.find(owner->second);
    if (entry == s.entries.end()) {
      s.owner.erase(owner);
      continue;
    }
    Entry& e = entry->second;
    for (size_t i = 0; i < e.variants.size(); ++i) {
      if (e.variants[i]->id != id) continue;
      // The policy already forgot it: do not tell it again.
      e.variants[i]->accounted.store(false);
      erase_object_locked(s, e, i);
      ++s.evictions;
      break;
    }
    if (e.variants.empty() && !e.pending) s.entries.erase(entry);
  }
}

void MemoryStore::remove(const std::shared_ptr<CachedObject>& object) {
  Shard& s = shard(object->primary_hash);
  std::lock_guard lock(s.mu);
  auto entry = s.entries.find(object->primary_hash);
  if (entry == s.entries.end()) return;
  Entry& e = entry->second;
  for (size_t i = 0; i < e.variants.size(); ++i) {
    if (e.variants[i] == object) {
      erase_object_locked(s, e, i);
      break;
    }
  }
  if (e.variants.empty() && !e.pending) s.entries.erase(entry);
}

void MemoryStore::remove_key(const std::string& primary, uint64_t hash) {
  const uint64_t check = key_check(primary);
  Shard& s = shard(hash);
  std::lock_guard lock(s.mu);
  auto entry = s.entries.find(hash);
  if (entry == s.entries.end() || entry->second.check != check) return;
  Entry& e = entry->second;
  while (!e.variants.empty()) erase_object_locked(s, e, e.variants.size() - 1);
  if (!e.pending) s.entries.erase(entry);
}

void MemoryStore::erase_object_locked(Shard& s, Entry& e, size_t index) {
  std::shared_ptr<CachedObject> obj = std::move(e.variants[index]);
  e.variants.erase(e.variants.begin() + static_cast<ptrdiff_t>(index));
  if (obj->accounted.exchange(false)) s.policy->erase(obj->id);
  s.owner.erase(obj->id);
}

StoreStats MemoryStore::stats() const {
  StoreStats out;
  out.capacity = capacity_;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mu);
    out.objects += s.policy->size();
    out.bytes += s.policy->used_bytes();
    out.evictions += s.evictions;
  }
  return out;
}

}  // namespace edgefront::cache
