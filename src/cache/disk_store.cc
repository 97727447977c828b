#include "cache/disk_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cache/disk_format.h"

namespace edgefront::cache {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxQueuedJobs = 256;
constexpr uint64_t kMaxQueuedBytes = 64ull << 20;
// What a file costs the budget: whole filesystem blocks, as du counts them.
constexpr uint64_t kBlock = 4096;

uint64_t disk_bytes(uint64_t file_size) { return (file_size + kBlock - 1) / kBlock * kBlock; }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads up to `limit` bytes from the start of the file; nullopt if it cannot be opened.
std::optional<std::string> read_file(const std::string& path, uint64_t limit, uint64_t* file_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return std::nullopt;
  *file_size = static_cast<uint64_t>(st.st_size);
  std::string out(static_cast<size_t>(std::min<uint64_t>(limit, *file_size)), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::pread(fd.get(), out.data() + got, out.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

// The head of a record file (header, key, meta), verified.
Result<RecordHead> read_head(const std::string& path, bool* missing) {
  uint64_t size = 0;
  std::optional<std::string> header = read_file(path, kRecordHeaderBytes, &size);
  *missing = !header;
  if (!header) return make_error(ErrorKind::kNotFound, Fault::kInternal, "gone");
  Result<uint64_t> head_length = record_head_length(*header);
  if (!head_length.ok()) return head_length.error();
  std::optional<std::string> prefix = read_file(path, head_length.value(), &size);
  *missing = !prefix;
  if (!prefix) return make_error(ErrorKind::kNotFound, Fault::kInternal, "gone");
  return decode_record_head(*prefix, size);
}

std::optional<uint64_t> parse_id(std::string_view name) {
  if (name.size() != 20 || name.substr(16) != ".rec") return std::nullopt;
  uint64_t id = 0;
  for (char c : name.substr(0, 16)) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return std::nullopt;
    id = id << 4 | static_cast<uint64_t>(v);
  }
  return id;
}

uint64_t object_id(const ObjectMeta& meta, uint64_t primary_hash) {
  return XXH3_64bits_withSeed(meta.secondary_key.data(), meta.secondary_key.size(), primary_hash);
}

}  // namespace

DiskStore::DiskStore(std::string directory, uint64_t capacity_bytes,
                     const InvalidationBoard& invalidations, PolicyFactory policy)
    : dir_(std::move(directory)),
      capacity_(capacity_bytes),
      invalidations_(invalidations),
      policy_(policy(capacity_bytes)) {}

DiskStore::~DiskStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

std::string DiskStore::record_path(uint64_t id) const {
  return fmt::format("{}/{:02x}/{:016x}.rec", dir_, id & 0xff, id);
}

Status DiskStore::open() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    return make_error(
        ErrorKind::kInternal, Fault::kInternal,
        fmt::format("server.cache.disk.path: cannot create {}: {}", dir_, ec.message()));
  }
  if (::access(dir_.c_str(), W_OK | X_OK) != 0) {
    return make_error(
        ErrorKind::kInternal, Fault::kInternal,
        fmt::format("server.cache.disk.path: {} is not writable: {}", dir_, std::strerror(errno)));
  }
  uint64_t temps = 0, bad = 0;
  for (unsigned sub = 0; sub < 256; ++sub) {
    std::string subdir = fmt::format("{}/{:02x}", dir_, sub);
    fs::create_directories(subdir, ec);
    if (ec) {
      return make_error(
          ErrorKind::kInternal, Fault::kInternal,
          fmt::format("server.cache.disk.path: cannot create {}: {}", subdir, ec.message()));
    }
    for (const fs::directory_entry& file : fs::directory_iterator(subdir, ec)) {
      std::string name = file.path().filename().string();
      if (name.ends_with(".tmp")) {  // a write that never completed
        fs::remove(file.path(), ec);
        ++temps;
        continue;
      }
      std::optional<uint64_t> id = parse_id(name);
      if (!id) continue;  // not ours
      bool missing = false;
      Result<RecordHead> head = read_head(file.path().string(), &missing);
      if (!head.ok() ||
          object_id(head.value().meta,
                    XXH3_64bits(head.value().primary.data(), head.value().primary.size())) != *id) {
        if (!missing) {
          spdlog::warn("disk cache: removing {}: {}", file.path().string(),
                       head.ok() ? "file name does not match its key" : head.error().message);
          fs::remove(file.path(), ec);
          ++bad;
        }
        continue;
      }
      uint64_t primary_hash = XXH3_64bits(head.value().primary.data(), head.value().primary.size());
      std::lock_guard lock(mu_);
      index_locked(
          *id, primary_hash, 0,
          disk_bytes(head.value().body_offset + head.value().body_length + kRecordTrailerBytes));
    }
  }
  corrupt_ += bad;
  DiskStats s = stats();
  spdlog::info(
      "disk cache {}: {} objects, {} bytes of {}; removed {} unfinished writes, {} bad "
      "records",
      dir_, s.objects, s.bytes, capacity_, temps, bad);
  scanned_sequence_ = invalidations_.sequence();
  writer_ = std::thread([this] { run_writer(); });
  return ok_status();
}

void DiskStore::index_locked(uint64_t id, uint64_t primary_hash, uint64_t checked, uint64_t bytes) {
  if (entries_.contains(id)) drop_locked(id);
  std::vector<uint64_t> evicted;
  policy_->insert(id, bytes, evicted);
  entries_[id] = Entry{primary_hash, checked};
  by_primary_.emplace(primary_hash, id);
  for (uint64_t victim : evicted) {
    // The policy already forgot it.
    auto it = entries_.find(victim);
    if (it != entries_.end()) {
      auto range = by_primary_.equal_range(it->second.primary_hash);
      for (auto p = range.first; p != range.second; ++p) {
        if (p->second == victim) {
          by_primary_.erase(p);
          break;
        }
      }
      entries_.erase(it);
    }
    unlink_record(victim);
    ++evictions_;
  }
}

void DiskStore::drop_locked(uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto range = by_primary_.equal_range(it->second.primary_hash);
  for (auto p = range.first; p != range.second; ++p) {
    if (p->second == id) {
      by_primary_.erase(p);
      break;
    }
  }
  entries_.erase(it);
  policy_->erase(id);
}

void DiskStore::unlink_record(uint64_t id) { ::unlink(record_path(id).c_str()); }

void DiskStore::discard_corrupt(uint64_t id, const std::string& why) {
  spdlog::warn("disk cache: {} failed verification ({}); removed", record_path(id), why);
  ++corrupt_;
  std::lock_guard lock(mu_);
  drop_locked(id);
  unlink_record(id);
}

std::shared_ptr<CachedObject> DiskStore::load(const std::string& primary, uint64_t primary_hash,
                                              const SecondaryKeyFn& wanted_secondary) {
  std::vector<std::pair<uint64_t, uint64_t>> candidates;  // id, checked invalidations
  {
    std::lock_guard lock(mu_);
    auto range = by_primary_.equal_range(primary_hash);
    for (auto p = range.first; p != range.second; ++p) {
      candidates.emplace_back(p->second, entries_.at(p->second).checked_invalidations);
    }
  }
  for (const auto& [id, checked] : candidates) {
    // Inline on the calling worker: objects kept on disk are at most the memory tier's
    // largest object, and the file is usually in the page cache (docs/design/cache.md).
    uint64_t size = 0;
    std::optional<std::string> bytes = read_file(record_path(id), ~0ull, &size);
    if (!bytes) {  // evicted or removed meanwhile
      std::lock_guard lock(mu_);
      drop_locked(id);
      continue;
    }
    Result<DecodedRecord> rec = decode_record(*bytes, primary);
    if (!rec.ok()) {
      discard_corrupt(id, rec.error().message);
      continue;
    }
    const ObjectMeta& meta = rec.value().head.meta;
    std::optional<std::string> wanted = wanted_secondary(meta);
    if (!wanted || *wanted != meta.secondary_key) continue;
    uint64_t sequence = invalidations_.sequence();
    if (invalidations_.invalidated_since(meta, checked)) {
      ++invalidated_;
      std::lock_guard lock(mu_);
      drop_locked(id);
      unlink_record(id);
      continue;
    }
    auto fill = std::make_shared<Fill>(rec.value().body.size());
    fill->append(rec.value().body);
    fill->complete();
    auto object = std::make_shared<CachedObject>(
        std::make_shared<const ObjectMeta>(std::move(rec.value().head.meta)), fill, sequence);
    object->id = id;
    object->primary_hash = primary_hash;
    {
      std::lock_guard lock(mu_);
      if (entries_.contains(id)) policy_->on_hit(id);
    }
    ++hits_;
    return object;
  }
  ++misses_;
  return nullptr;
}

void DiskStore::store(std::string primary, uint64_t primary_hash,
                      std::shared_ptr<CachedObject> object) {
  if (!writer_.joinable() || object->body->state() != Fill::State::kComplete) return;
  uint64_t bytes = object->body->size();
  if (disk_bytes(bytes) > capacity_) return;
  {
    std::lock_guard lock(queue_mu_);
    if (queue_.size() >= kMaxQueuedJobs || queued_bytes_ + bytes > kMaxQueuedBytes) {
      ++write_drops_;
      return;
    }
    queued_bytes_ += bytes;
    queue_.push_back(Job{std::move(primary), primary_hash, std::move(object)});
  }
  queue_cv_.notify_one();
}

void DiskStore::remove_key(uint64_t primary_hash) {
  std::lock_guard lock(mu_);
  std::vector<uint64_t> ids;
  auto range = by_primary_.equal_range(primary_hash);
  for (auto p = range.first; p != range.second; ++p) ids.push_back(p->second);
  for (uint64_t id : ids) {
    drop_locked(id);
    unlink_record(id);
  }
}

void DiskStore::remove(uint64_t id) {
  std::lock_guard lock(mu_);
  if (!entries_.contains(id)) return;
  drop_locked(id);
  unlink_record(id);
}

void DiskStore::flush() {
  std::unique_lock lock(queue_mu_);
  idle_cv_.wait(lock, [&] {
    return stopping_ ||
           (queue_.empty() && !busy_ && scanned_sequence_ == invalidations_.sequence());
  });
}

void DiskStore::run_writer() {
  std::unique_lock lock(queue_mu_);
  while (true) {
    // Invalidations are polled: the board does not know about the disk tier.
    queue_cv_.wait_for(lock, std::chrono::milliseconds(50),
                       [&] { return stopping_ || !queue_.empty(); });
    busy_ = true;
    lock.unlock();
    apply_invalidations();
    lock.lock();
    while (!queue_.empty()) {
      Job job = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= job.object->body->size();
      lock.unlock();
      write(job);
      lock.lock();
    }
    busy_ = false;
    idle_cv_.notify_all();
    if (stopping_) break;
  }
}

void DiskStore::write(const Job& job) {
  const ObjectMeta& meta = *job.object->meta;
  const uint64_t checked = job.object->checked_invalidations.load();
  // An invalidation that arrived while the write was queued applies to it.
  if (invalidations_.invalidated_since(meta, checked)) return;
  const uint64_t id = object_id(meta, job.primary_hash);
  const std::string path = record_path(id);
  const std::string temp = fmt::format("{}.{}.tmp", path, ::getpid());
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    spdlog::warn("disk cache: cannot create {}: {}", temp, std::strerror(errno));
    return;
  }
  Fill& body = *job.object->body;
  const uint64_t length = body.size();
  std::string head = encode_record_head(job.primary, meta, length);
  bool ok = write_all(fd.get(), head);
  BodyChecksum sum(record_head_checksum(head));
  uint64_t offset = 0;
  while (ok && offset < length) {
    Fill::Chunk chunk = body.read(offset);
    if (chunk.data.empty()) {
      ok = false;
      break;
    }
    std::string_view data(chunk.data.data(), chunk.data.size());
    sum.update(data);
    ok = write_all(fd.get(), data);
    offset += data.size();
  }
  ok = ok && write_all(fd.get(), encode_trailer(sum.digest()));
  // Only a complete file ever gets the record's name: a crash before this leaves a .tmp.
  ok = ok && ::rename(temp.c_str(), path.c_str()) == 0;
  if (!ok) {
    spdlog::warn("disk cache: writing {} failed: {}", path, std::strerror(errno));
    ::unlink(temp.c_str());
    return;
  }
  ++writes_;
  std::lock_guard lock(mu_);
  index_locked(id, job.primary_hash, checked, disk_bytes(head.size() + length + 8));
}

void DiskStore::apply_invalidations() {
  const uint64_t sequence = invalidations_.sequence();
  if (sequence == scanned_sequence_) return;
  std::vector<std::pair<uint64_t, uint64_t>> ids;  // id, checked
  {
    std::lock_guard lock(mu_);
    ids.reserve(entries_.size());
    for (const auto& [id, entry] : entries_) ids.emplace_back(id, entry.checked_invalidations);
  }
  for (const auto& [id, checked] : ids) {
    if (checked >= sequence) continue;
    bool missing = false;
    Result<RecordHead> head = read_head(record_path(id), &missing);
    if (missing) continue;
    if (!head.ok()) {
      discard_corrupt(id, head.error().message);
      continue;
    }
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    if (invalidations_.invalidated_since(head.value().meta, it->second.checked_invalidations)) {
      ++invalidated_;
      drop_locked(id);
      unlink_record(id);
    } else {
      it->second.checked_invalidations = sequence;
    }
  }
  std::lock_guard lock(queue_mu_);
  scanned_sequence_ = sequence;
}

DiskStats DiskStore::stats() const {
  DiskStats s;
  {
    std::lock_guard lock(mu_);
    s.objects = entries_.size();
    s.bytes = policy_->used_bytes();
    s.index_bytes =
        policy_->memory_bytes() + entries_.bucket_count() * sizeof(void*) +
        entries_.size() * (sizeof(std::pair<const uint64_t, Entry>) + 2 * sizeof(void*)) +
        by_primary_.bucket_count() * sizeof(void*) +
        by_primary_.size() * (sizeof(std::pair<const uint64_t, uint64_t>) + 2 * sizeof(void*));
  }
  s.capacity = capacity_;
  s.hits = hits_;
  s.misses = misses_;
  s.writes = writes_;
  s.write_drops = write_drops_;
  s.evictions = evictions_;
  s.corrupt = corrupt_;
  s.invalidated = invalidated_;
  return s;
}

}  // namespace edgefront::cache
