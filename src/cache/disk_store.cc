#include "cache/disk_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/fd_io.h"
#include "cache/disk_format.h"
#include "cache/disk_path.h"

namespace edgefront::cache {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxQueuedJobs = 256;
constexpr uint64_t kMaxQueuedBytes = 64ull << 20;
constexpr size_t kVerifyChunk = 256 * 1024;
// What a file costs the budget: whole filesystem blocks, as du counts them.
constexpr uint64_t kBlock = 4096;

uint64_t disk_bytes(uint64_t file_size) { return (file_size + kBlock - 1) / kBlock * kBlock; }

bool pread_all(int fd, char* out, size_t n, uint64_t offset) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

// The head of an open record file of `size` bytes, verified.
Result<RecordHead> read_head_fd(int fd, uint64_t size) {
  std::string prefix(std::min<uint64_t>(kRecordHeaderBytes, size), '\0');
  if (!pread_all(fd, prefix.data(), prefix.size(), 0)) {
    return make_error(ErrorKind::kInternal, Fault::kInternal, "short read");
  }
  Result<uint64_t> head_length = record_head_length(prefix);
  if (!head_length.ok()) return head_length.error();
  if (head_length.value() > size) {
    return make_error(ErrorKind::kInternal, Fault::kInternal, "disk record: head truncated");
  }
  prefix.resize(head_length.value());
  if (!pread_all(fd, prefix.data() + kRecordHeaderBytes, prefix.size() - kRecordHeaderBytes,
                 kRecordHeaderBytes)) {
    return make_error(ErrorKind::kInternal, Fault::kInternal, "short read");
  }
  return decode_record_head(prefix, size);
}

// The head of a record file (header, key, meta), verified; `missing` if it is gone.
Result<RecordHead> read_head(const std::string& path, bool* missing) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  *missing = fd.get() < 0 || ::fstat(fd.get(), &st) != 0;
  if (*missing) return make_error(ErrorKind::kNotFound, Fault::kInternal, "gone");
  return read_head_fd(fd.get(), static_cast<uint64_t>(st.st_size));
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
      journal_(dir_ + "/invalidations.journal"),
      policy_(policy(capacity_bytes)) {}

DiskStore::~DiskStore() {
  readers_.join();
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
  // The same check `validate` runs, so both refuse the same paths.
  if (std::optional<std::string> refused = check_disk_dir(dir_)) {
    return make_error(ErrorKind::kInternal, Fault::kInternal, *refused);
  }
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
  uint64_t temps = 0, bad = 0, invalidated = 0;
  // Invalidations accepted before a crash that the writer had not applied yet.
  const std::vector<InvalidationRule> left = journal_.read();
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
      if (std::any_of(left.begin(), left.end(), [&](const InvalidationRule& rule) {
            return rule.matches(head.value().meta);
          })) {
        fs::remove(file.path(), ec);
        ++invalidated;
        continue;
      }
      uint64_t primary_hash = XXH3_64bits(head.value().primary.data(), head.value().primary.size());
      adopt(*id, primary_hash,
            head.value().body_offset + head.value().body_length + kRecordTrailerBytes);
    }
  }
  corrupt_ += bad;
  invalidated_ += invalidated;
  if (!left.empty()) journal_.clear();
  DiskStats s = stats();
  spdlog::info(
      "disk cache {}: {} objects, {} bytes of {}; removed {} unfinished writes, {} bad "
      "records, {} invalidated before a restart",
      dir_, s.objects, s.bytes, capacity_, temps, bad, invalidated);
  scanned_sequence_ = invalidations_.sequence();
  writer_ = std::thread([this] { run_writer(); });
  return ok_status();
}

void DiskStore::adopt(uint64_t id, uint64_t primary_hash, uint64_t file_bytes) {
  std::lock_guard lock(mu_);
  index_locked(id, primary_hash, 0, disk_bytes(file_bytes));
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

DiskStore::Hit DiskStore::load(const std::string& primary, uint64_t primary_hash,
                               const SecondaryKeyFn& wanted_secondary, uint64_t inline_limit) {
  std::vector<std::pair<uint64_t, uint64_t>> candidates;  // id, checked invalidations
  {
    std::lock_guard lock(mu_);
    auto range = by_primary_.equal_range(primary_hash);
    for (auto p = range.first; p != range.second; ++p) {
      candidates.emplace_back(p->second, entries_.at(p->second).checked_invalidations);
    }
  }
  for (const auto& [id, checked] : candidates) {
    // Runs on the read pool (the proxy never calls it on a worker); large bodies are verified
    // here and streamed by the caller afterwards (docs/design/cache.md).
    UniqueFd fd(::open(record_path(id).c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {  // evicted or removed meanwhile
      std::lock_guard lock(mu_);
      drop_locked(id);
      continue;
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    Result<RecordHead> head = read_head_fd(fd.get(), size);
    if (!head.ok()) {
      discard_corrupt(id, head.error().message);
      continue;
    }
    if (head.value().primary != primary) continue;  // a 64-bit hash collision: not ours
    const ObjectMeta& meta = head.value().meta;
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
    // Every body byte is checked before the first one is served.
    const uint64_t body_offset = head.value().body_offset;
    const uint64_t body_length = head.value().body_length;
    const bool whole = body_length <= inline_limit;
    std::string body;
    BodyChecksum sum;
    bool readable = true;
    if (whole) {
      body.resize(body_length);
      readable = pread_all(fd.get(), body.data(), body.size(), body_offset);
      sum.update(body);
    } else {
      std::string buffer(kVerifyChunk, '\0');
      for (uint64_t at = 0; readable && at < body_length;) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(buffer.size(), body_length - at));
        readable = pread_all(fd.get(), buffer.data(), n, body_offset + at);
        sum.update(std::string_view(buffer.data(), n));
        at += n;
      }
    }
    std::string trailer(kRecordTrailerBytes, '\0');
    readable =
        readable && pread_all(fd.get(), trailer.data(), trailer.size(), body_offset + body_length);
    if (!readable || encode_trailer(sum.digest(head.value().head_checksum)) != trailer) {
      discard_corrupt(id, readable ? "body checksum" : "short read");
      continue;
    }
    auto fill = std::make_shared<Fill>(whole ? body_length : 0);
    if (whole) {
      fill->append(body);
      fill->complete();
    }
    Hit hit;
    hit.object = std::make_shared<CachedObject>(
        std::make_shared<const ObjectMeta>(std::move(head.value().meta)), fill, sequence);
    hit.object->id = id;
    hit.object->primary_hash = primary_hash;
    if (!whole) {
      hit.file = std::move(fd);
      hit.body_offset = body_offset;
      hit.body_length = body_length;
    }
    {
      std::lock_guard lock(mu_);
      if (entries_.contains(id)) policy_->on_hit(id);
    }
    ++hits_;
    return hit;
  }
  ++misses_;
  return {};
}

std::unique_ptr<DiskStore::Stream> DiskStore::begin_stream(
    const std::string& primary, uint64_t primary_hash,
    const std::shared_ptr<CachedObject>& object) {
  if (!writer_.joinable()) return nullptr;
  const ObjectMeta& meta = *object->meta;
  if (meta.content_length && disk_bytes(*meta.content_length) > capacity_) return nullptr;
  const uint64_t id = object_id(meta, primary_hash);
  std::string temp = fmt::format("{}.{}.{:x}.tmp", record_path(id), ::getpid(),
                                 reinterpret_cast<uintptr_t>(object.get()));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::warn("disk cache: cannot create {}: {}", temp, std::strerror(errno));
    return nullptr;
  }
  // The length is patched in on commit; lengths are fixed-width, so the head keeps its size.
  std::string head = encode_record_head(primary, meta, 0);
  auto stream = std::unique_ptr<Stream>(new Stream(*this, id, primary_hash,
                                                   object->checked_invalidations.load(),
                                                   object->meta, primary, fd, std::move(temp)));
  stream->head_length_ = head.size();
  if (!write_all(fd, head)) stream->failed_ = true;
  return stream;
}

DiskStore::Stream::Stream(DiskStore& store, uint64_t id, uint64_t primary_hash, uint64_t checked,
                          std::shared_ptr<const ObjectMeta> meta, std::string primary, int fd,
                          std::string temp)
    : store_(store),
      id_(id),
      primary_hash_(primary_hash),
      checked_(checked),
      meta_(std::move(meta)),
      primary_(std::move(primary)),
      fd_(fd),
      temp_(std::move(temp)),
      sum_(std::make_unique<BodyChecksum>()) {}

DiskStore::Stream::~Stream() {
  if (!temp_.empty()) ::unlink(temp_.c_str());  // never committed: the name is never taken
}

bool DiskStore::Stream::append(std::string_view data) {
  if (failed_) return false;
  length_ += data.size();
  if (disk_bytes(head_length_ + length_ + kRecordTrailerBytes) > store_.capacity_ ||
      !write_all(fd_.get(), data)) {
    failed_ = true;
    return false;
  }
  sum_->update(data);
  return true;
}

void DiskStore::Stream::commit() {
  if (failed_) return;
  failed_ = true;  // one commit
  if (store_.invalidations_.invalidated_since(*meta_, checked_)) return;
  std::string head = encode_record_head(primary_, *meta_, length_);
  const std::string path = store_.record_path(id_);
  bool ok = head.size() == head_length_ &&
            ::pwrite(fd_.get(), head.data(), head.size(), 0) == static_cast<ssize_t>(head.size()) &&
            write_all(fd_.get(), encode_trailer(sum_->digest(record_head_checksum(head)))) &&
            ::rename(temp_.c_str(), path.c_str()) == 0;
  if (!ok) {
    spdlog::warn("disk cache: writing {} failed: {}", path, std::strerror(errno));
    return;
  }
  temp_.clear();
  store_.record_written(id_, primary_hash_, checked_, head.size() + length_ + kRecordTrailerBytes);
}

void DiskStore::record_written(uint64_t id, uint64_t primary_hash, uint64_t checked,
                               uint64_t file_size) {
  ++writes_;
  std::lock_guard lock(mu_);
  index_locked(id, primary_hash, checked, disk_bytes(file_size));
}

bool DiskStore::may_have(uint64_t primary_hash) const {
  std::lock_guard lock(mu_);
  return by_primary_.contains(primary_hash);
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
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    spdlog::warn("disk cache: cannot create {}: {}", temp, std::strerror(errno));
    return;
  }
  Fill& body = *job.object->body;
  const uint64_t length = body.size();
  std::string head = encode_record_head(job.primary, meta, length);
  bool ok = write_all(fd.get(), head);
  BodyChecksum sum;
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
  ok = ok && write_all(fd.get(), encode_trailer(sum.digest(record_head_checksum(head))));
  // Only a complete file ever gets the record's name: a crash before this leaves a .tmp.
  ok = ok && ::rename(temp.c_str(), path.c_str()) == 0;
  if (!ok) {
    spdlog::warn("disk cache: writing {} failed: {}", path, std::strerror(errno));
    ::unlink(temp.c_str());
    return;
  }
  record_written(id, job.primary_hash, checked, head.size() + length + kRecordTrailerBytes);
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
  journal_.forget_through(sequence);  // every record has now been checked against them
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
