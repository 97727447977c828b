// The disk tier: one file per stored variant under a directory, bounded in bytes, rebuilt
// from the directory at startup. Writes happen on one background thread (workers never wait
// for the disk to store); reads verify the whole record before a byte is served.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "cache/cached_object.h"
#include "cache/eviction.h"
#include "cache/invalidation.h"
#include "cache/invalidation_journal.h"
#include "net/asio.h"

namespace edgefront::cache {

class BodyChecksum;

struct DiskStats {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t capacity = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t writes = 0;
  uint64_t write_drops = 0;  // queue full
  uint64_t evictions = 0;
  uint64_t corrupt = 0;      // records that failed verification (removed)
  uint64_t invalidated = 0;  // records removed by invalidations
  uint64_t index_bytes = 0;  // estimated memory of the index and eviction policy
};

class DiskStore {
 public:
  using PolicyFactory = std::unique_ptr<EvictionPolicy> (*)(uint64_t capacity_bytes);
  DiskStore(std::string directory, uint64_t capacity_bytes, const InvalidationBoard& invalidations,
            PolicyFactory policy = &make_s3fifo);
  ~DiskStore();  // finishes queued writes and invalidation scans, then stops the writer
  DiskStore(const DiskStore&) = delete;
  DiskStore& operator=(const DiskStore&) = delete;

  // Creates the directory, deletes leftover temp files (writes a crash interrupted), indexes
  // every record whose head verifies and deletes the rest; then starts the writer thread.
  Status open();

  // A verified copy of the variant of `primary` that `wanted_secondary` selects (called with
  // each candidate's meta; nullopt or a different key skips it). Bodies up to `inline_limit`
  // come whole in the object's Fill; larger ones are verified in one pass over the file and
  // come as the open file, to be streamed into the (empty) Fill by the caller.
  using SecondaryKeyFn = std::function<std::optional<std::string>(const ObjectMeta&)>;
  struct Hit {
    std::shared_ptr<CachedObject> object;  // null: a miss
    UniqueFd file;                         // set when the body is to be streamed from it
    uint64_t body_offset = 0;
    uint64_t body_length = 0;
  };
  Hit load(const std::string& primary, uint64_t primary_hash,
           const SecondaryKeyFn& wanted_secondary, uint64_t inline_limit = ~0ull);

  // Writes one body as it arrives (objects too large for memory). The record gets its name
  // only on commit(); destroying an uncommitted stream deletes its temp file.
  class Stream {
   public:
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    // False once the stream has failed or outgrown the budget (it is then abandoned).
    bool append(std::string_view data);
    void commit();

   private:
    friend class DiskStore;
    Stream(DiskStore& store, uint64_t id, uint64_t primary_hash, uint64_t checked,
           std::shared_ptr<const ObjectMeta> meta, std::string primary, int fd, std::string temp);
    DiskStore& store_;
    uint64_t id_, primary_hash_, checked_;
    std::shared_ptr<const ObjectMeta> meta_;
    std::string primary_;
    uint64_t head_length_ = 0;
    UniqueFd fd_;
    std::string temp_;
    std::unique_ptr<BodyChecksum> sum_;
    uint64_t length_ = 0;
    bool failed_ = false;
  };
  // Null when the object cannot be stored (no space for its announced length, I/O error).
  std::unique_ptr<Stream> begin_stream(const std::string& primary, uint64_t primary_hash,
                                       const std::shared_ptr<CachedObject>& object);

  // True if some variant of the key may be on disk (an index probe: no I/O).
  bool may_have(uint64_t primary_hash) const;
  // Where loads run: a small pool, so a worker never blocks on reading and checksumming a
  // record (the caller co_spawns load() there and resumes on its own executor).
  net::Executor read_executor() { return readers_.get_executor(); }

  // Queues a complete object for writing; dropped (and counted) when the queue is full.
  void store(std::string primary, uint64_t primary_hash, std::shared_ptr<CachedObject> object);
  // Drops every stored variant of a key (unsafe methods), or one variant.
  void remove_key(uint64_t primary_hash);
  void remove(uint64_t id);

  // Records accepted invalidations until the writer's scan has applied them (hooked to the
  // board with InvalidationBoard::set_journal); open() applies what a crash left behind.
  void journal(const std::vector<InvalidationRule>& rules) { journal_.append(rules); }

  // Indexes a record already on disk (the startup scan; the index benchmark).
  void adopt(uint64_t id, uint64_t primary_hash, uint64_t file_bytes);

  // Waits until every write queued so far is done and invalidations are applied (tests).
  void flush();
  DiskStats stats() const;
  const std::string& directory() const { return dir_; }
  uint64_t capacity_bytes() const { return capacity_; }

  // Where a record lives: 256 fan-out directories by the low byte of the id.
  std::string record_path(uint64_t id) const;

 private:
  struct Job {
    std::string primary;
    uint64_t primary_hash = 0;
    std::shared_ptr<CachedObject> object;
  };
  struct Entry {
    uint64_t primary_hash = 0;
    uint64_t checked_invalidations = 0;  // board rules up to here known not to match
  };

  void run_writer();
  void record_written(uint64_t id, uint64_t primary_hash, uint64_t checked, uint64_t file_size);
  void write(const Job& job);
  void apply_invalidations();
  void index_locked(uint64_t id, uint64_t primary_hash, uint64_t checked, uint64_t bytes);
  void drop_locked(uint64_t id);
  void unlink_record(uint64_t id);
  void discard_corrupt(uint64_t id, const std::string& why);

  const std::string dir_;
  const uint64_t capacity_;
  const InvalidationBoard& invalidations_;
  InvalidationJournal journal_;

  mutable std::mutex mu_;                                   // index and policy
  std::unordered_map<uint64_t, Entry> entries_;             // by object id
  std::unordered_multimap<uint64_t, uint64_t> by_primary_;  // primary hash -> object id
  std::unique_ptr<EvictionPolicy> policy_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::condition_variable idle_cv_;
  std::deque<Job> queue_;
  uint64_t queued_bytes_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  uint64_t scanned_sequence_ = 0;  // invalidations applied to every record (writer thread)
  std::thread writer_;
  asio::thread_pool readers_{2};

  std::atomic<uint64_t> hits_{0}, misses_{0}, writes_{0}, write_drops_{0}, evictions_{0},
      corrupt_{0}, invalidated_{0};
};

}  // namespace edgefront::cache
