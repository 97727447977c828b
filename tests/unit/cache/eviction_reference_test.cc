// Differential tests: the compact policies against naive references written straight from
// the algorithms' descriptions (linear scans over std::deque), on random traces.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>

#include "cache/eviction.h"

namespace edgefront::cache {
namespace {

using Key = EvictionPolicy::Key;

struct Object {
  Key key;
  uint64_t bytes;
  int freq = 0;
};

uint64_t total_bytes(const std::deque<Object>& queue) {
  uint64_t sum = 0;
  for (const Object& o : queue) sum += o.bytes;
  return sum;
}

// Removes `key` from `queue` if present; says whether it was.
bool take(std::deque<Object>& queue, Key key, Object* out = nullptr) {
  auto it = std::find_if(queue.begin(), queue.end(), [&](const Object& o) { return o.key == key; });
  if (it == queue.end()) return false;
  if (out) *out = *it;
  queue.erase(it);
  return true;
}

// Front = newest. Small 10% of bytes, main with a counter capped at 3, ghost bounded by
// main's bytes.
class ReferenceS3Fifo {
 public:
  explicit ReferenceS3Fifo(uint64_t capacity) : capacity_(capacity) {}

  void on_hit(Key key) {
    for (auto* queue : {&small_, &main_}) {
      for (Object& o : *queue) {
        if (o.key == key) o.freq = std::min(o.freq + 1, 3);
      }
    }
  }
  void insert(Key key, uint64_t bytes, std::vector<Key>& evicted) {
    bool ghost_hit = take(ghost_, key);
    erase(key);
    if (bytes > capacity_) {
      evicted.push_back(key);
      return;
    }
    while (used() + bytes > capacity_) {
      if (total_bytes(small_) > capacity_ / 10 || main_.empty()) {
        evict_small(evicted);
      } else {
        evict_main(evicted);
      }
    }
    (ghost_hit ? main_ : small_).push_front(Object{key, bytes});
  }
  void erase(Key key) { take(small_, key) || take(main_, key); }
  uint64_t used() const { return total_bytes(small_) + total_bytes(main_); }
  size_t size() const { return small_.size() + main_.size(); }

 private:
  void evict_small(std::vector<Key>& evicted) {
    while (!small_.empty()) {
      Object o = small_.back();
      small_.pop_back();
      if (o.freq > 0) {
        main_.push_front(Object{o.key, o.bytes});
        continue;
      }
      evicted.push_back(o.key);
      uint64_t ghost_limit = capacity_ - capacity_ / 10;
      if (o.bytes <= ghost_limit) {
        ghost_.push_front(Object{o.key, o.bytes});
        while (total_bytes(ghost_) > ghost_limit) ghost_.pop_back();
      }
      return;
    }
    evict_main(evicted);
  }
  void evict_main(std::vector<Key>& evicted) {
    for (;;) {
      Object o = main_.back();
      main_.pop_back();
      if (o.freq > 0) {
        --o.freq;
        main_.push_front(o);
        continue;
      }
      evicted.push_back(o.key);
      return;
    }
  }

  uint64_t capacity_;
  std::deque<Object> small_, main_, ghost_;
};

class ReferenceLru {
 public:
  explicit ReferenceLru(uint64_t capacity) : capacity_(capacity) {}
  void on_hit(Key key) {
    Object o;
    if (take(order_, key, &o)) order_.push_front(o);
  }
  void insert(Key key, uint64_t bytes, std::vector<Key>& evicted) {
    erase(key);
    if (bytes > capacity_) {
      evicted.push_back(key);
      return;
    }
    while (used() + bytes > capacity_) {
      evicted.push_back(order_.back().key);
      order_.pop_back();
    }
    order_.push_front(Object{key, bytes});
  }
  void erase(Key key) { take(order_, key); }
  uint64_t used() const { return total_bytes(order_); }
  size_t size() const { return order_.size(); }

 private:
  uint64_t capacity_;
  std::deque<Object> order_;
};

// Replays one random trace (hits on keys that may or may not be resident, inserts of
// varied sizes including oversize ones, erases) through both and compares every decision.
template <typename Reference>
void expect_same_decisions(std::unique_ptr<EvictionPolicy> policy, uint64_t seed) {
  const uint64_t capacity = policy->capacity_bytes();
  Reference reference(capacity);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<Key> key(0, 300);
  std::uniform_int_distribution<uint64_t> bytes(1, capacity / 8);
  std::uniform_int_distribution<int> op(0, 99);
  std::vector<Key> got, want;
  for (int step = 0; step < 6'000; ++step) {
    Key k = key(rng);
    int o = op(rng);
    got.clear();
    want.clear();
    if (o < 45) {
      policy->on_hit(k);
      reference.on_hit(k);
    } else if (o < 90) {
      uint64_t b = o == 89 ? capacity + 1 : bytes(rng);
      policy->insert(k, b, got);
      reference.insert(k, b, want);
    } else {
      policy->erase(k);
      reference.erase(k);
    }
    ASSERT_EQ(got, want) << "seed " << seed << " step " << step;
    ASSERT_EQ(policy->used_bytes(), reference.used()) << "seed " << seed << " step " << step;
    ASSERT_EQ(policy->size(), reference.size()) << "seed " << seed << " step " << step;
  }
}

TEST(EvictionReference, S3FifoMatchesTheNaiveReference) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    expect_same_decisions<ReferenceS3Fifo>(make_s3fifo(4'000 + seed * 97), seed);
  }
}

TEST(EvictionReference, LruMatchesTheNaiveReference) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    expect_same_decisions<ReferenceLru>(make_lru(4'000 + seed * 97), seed);
  }
}

}  // namespace
}  // namespace edgefront::cache
