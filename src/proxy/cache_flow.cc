// The cache phases of the pipeline: lookup, serving stored objects (Age, conditionals,
// ranges, HEAD), leading a fetch that other requests for the same key wait on, filling the
// store while every reader streams, revalidation, stale-while-revalidate and stale-if-error.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "cache/compression.h"
#include "cache/conditional.h"
#include "cache/freshness.h"
#include "http/h1_serialize.h"
#include "http/range.h"
#include "proxy/pipeline.h"
#include "proxy/request.h"

namespace edgefront::proxy {

namespace {

using cache::CachedObject;
using cache::Fill;
using cache::MemoryStore;
using cache::ObjectMeta;

constexpr obs::EdgeResult kHit = obs::EdgeResult::kHit;
constexpr obs::EdgeResult kMiss = obs::EdgeResult::kMiss;
constexpr obs::EdgeResult kRefreshHit = obs::EdgeResult::kRefreshHit;
constexpr obs::EdgeResult kError = obs::EdgeResult::kError;
constexpr size_t kFileChunk = 64 * 1024;
// How far an uncacheably large body may run ahead of its slowest reader.
constexpr uint64_t kStreamWindow = 4 << 20;

// Resolves the pending fetch whatever happens to the leader (errors, viewer gone, shutdown),
// so waiters never hang.
class PendingGuard {
 public:
  PendingGuard(MemoryStore& store, uint64_t hash, std::shared_ptr<MemoryStore::Pending> pending)
      : store_(store), hash_(hash), pending_(std::move(pending)) {}
  ~PendingGuard() { resolve(MemoryStore::Pending::Outcome::kNotStored, nullptr); }
  void resolve(MemoryStore::Pending::Outcome outcome, std::shared_ptr<CachedObject> object) {
    if (!pending_) return;
    store_.finish_pending(hash_, pending_, outcome, std::move(object));
    pending_.reset();
  }

 private:
  MemoryStore& store_;
  uint64_t hash_;
  std::shared_ptr<MemoryStore::Pending> pending_;
};

// A reader's place in a fill still arriving, so a writer that cannot keep everything waits
// for it (a settled fill needs none).
class ReaderSlot {
 public:
  explicit ReaderSlot(Fill& fill)
      : fill_(fill), slot_(fill.settled() ? kNone : fill.reader_joined()) {}
  ~ReaderSlot() {
    if (slot_ != kNone) fill_.reader_left(slot_);
  }
  void progress(uint64_t offset) {
    if (slot_ != kNone) fill_.reader_progress(slot_, offset);
  }

 private:
  static constexpr size_t kNone = ~size_t{0};
  Fill& fill_;
  size_t slot_;
};

// Surrogate-Key is space-separated (Fastly), Cache-Tag comma-separated (Cloudflare), and so is
// the distribution's CacheTagConfig header (CloudFront); tags compare case-insensitively.
std::vector<std::string> response_tags(const http::HeaderList& headers,
                                       std::string_view tag_header) {
  std::vector<std::string> tags;
  auto split = [&tags](std::string_view v, char sep) {
    while (!v.empty()) {
      size_t end = v.find(sep);
      std::string_view t = trim(v.substr(0, end));
      if (!t.empty() && t.size() <= 256 && tags.size() < 50) tags.push_back(to_lower(t));
      if (end == std::string_view::npos) break;
      v.remove_prefix(end + 1);
    }
  };
  for (const auto& [name, value] : headers.fields()) {
    if (iequals(name, "Surrogate-Key")) split(value, ' ');
    if (iequals(name, "Cache-Tag") || iequals(name, "Edge-Cache-Tag") ||
        (!tag_header.empty() && iequals(name, tag_header))) {
      split(value, ',');
    }
  }
  return tags;
}

uint64_t header_bytes(const http::PackedHead& head) { return 64 + head.packed_bytes(); }

// Vary selects variants only in honour-origin mode: CloudFront keys on what the cache policy
// names and nothing else (cloudfront-spec.md 3.13).
template <class Headers>  // a HeaderList or a stored PackedHead
std::optional<std::string> secondary_key(bool honour_origin, const Headers& response,
                                         const http::RequestHead& request) {
  if (!honour_origin) return std::string();
  return cache::vary_secondary_key(response, request);
}

// What picks a stored variant for `request`: its secondary key against each object's Vary.
auto variant_selector(const http::RequestHead& request, bool honour_origin) {
  return [&request, honour_origin](const ObjectMeta& m) {
    return secondary_key(honour_origin, m.head, request);
  };
}

// CustomErrorResponses' ErrorCachingMinTTL for this status, else CloudFront's default 10 s.
std::chrono::seconds error_caching_ttl(const RuntimeDistribution& dist, int status) {
  auto custom = dist.custom_errors.find(status);
  if (custom == dist.custom_errors.end()) return std::chrono::seconds(10);
  return std::chrono::duration_cast<std::chrono::seconds>(custom->second->error_caching_min_ttl);
}

// A compressed variant's ETag differs from the origin's identity one (spec 3.10).
void weaken_etag(http::HeaderList& headers) {
  std::optional<std::string_view> etag = headers.get("ETag");
  if (!etag) return;
  if (std::optional<std::string> weak = cache::compressed_etag(*etag)) {
    headers.set("ETag", *weak);
  } else {
    headers.remove("ETag");
  }
}

// Marks a head as the edge's compressed variant of the origin's response.
void mark_compressed(http::ResponseHead& head, ObjectMeta& meta, http::Coding coding) {
  http::HeaderList& h = head.headers;
  h.set("Content-Encoding", http::coding_token(coding));
  h.remove("Content-Length");
  weaken_etag(h);
  h.add_list_token("Vary", "Accept-Encoding");
  meta.content_length.reset();  // known once the compressed body is complete
  meta.compressed = coding;
}

bool is_unsafe(http::Method m) {
  return m == http::Method::kPost || m == http::Method::kPut || m == http::Method::kDelete ||
         m == http::Method::kPatch;
}

// A response generated from the cache itself (304, 412, 416).
http::ResponseHead bodiless_head(int status, const ObjectMeta& meta, bool validators) {
  http::ResponseHead head;
  head.status = status;
  for (const auto& [name, value] : meta.head) {
    bool keep = iequals(name, "Cache-Control") || iequals(name, "Expires") ||
                iequals(name, "Vary") || iequals(name, "Content-Location") ||
                iequals(name, "Via") ||
                (validators && (iequals(name, "ETag") || iequals(name, "Last-Modified")));
    if (keep) head.headers.add(name, value);
  }
  head.headers.add("Server", "edgefront");
  return head;
}

// Fills the body of a stored object from the origin (or a file) at the origin's pace,
// independent of any viewer: a viewer that goes away does not starve the others.
struct FillJob {
  Upstreamed up;
  std::shared_ptr<Fill> fill;
  std::shared_ptr<CachedObject> object;
  std::shared_ptr<const Runtime> runtime;  // keeps the origin alive while filling
  MemoryStore* store = nullptr;
  cache::DiskStore* disk = nullptr;  // gets a copy once the body is whole and kept
  std::string primary;
  uint64_t primary_hash = 0;
  uint64_t max_object_bytes = 0;
  uint64_t head_bytes = 0;
  unsigned worker = 0;
  std::unique_ptr<http::Compressor> compressor;  // the edge compresses what it stores
  std::string compressed;                        // scratch for the compressor's output
  // Origin bytes as they are stored: through the compressor when there is one (the span
  // points into `compressed` then, valid until the next call); nullopt on a compressor error.
  std::optional<std::span<const char>> encode(std::span<const char> data) {
    if (!compressor) return data;
    compressed.clear();
    if (!compressor->write(data, compressed)) return std::nullopt;
    return std::span<const char>(compressed);
  }
  // The compressor's last bytes (checksums, end markers).
  std::optional<std::span<const char>> finish_encoding() {
    compressed.clear();
    if (compressor && !compressor->finish(compressed)) return std::nullopt;
    return std::span<const char>(compressed);
  }
  ~FillJob() {
    if (fill && fill->state() == Fill::State::kFilling) fill->fail();
  }
};

net::awaitable<void> run_fill(std::shared_ptr<FillJob> job) {
  Fill& fill = *job->fill;
  bool kept = true;
  // Bodies too large for memory go to disk as they arrive (named only once complete).
  std::unique_ptr<cache::DiskStore::Stream> to_disk;
  auto give_up_keeping = [&] {
    // Too large for the memory tier: stream it through, bounded by the slowest reader.
    kept = false;
    job->store->remove(job->object);
    if (job->disk) {
      to_disk = job->disk->begin_stream(job->primary, job->primary_hash, job->object);
      // Everything so far is still buffered: nothing has been dropped while kept.
      for (uint64_t at = 0; to_disk && at < fill.size();) {
        Fill::Chunk chunk = fill.read(at);
        if (chunk.data.empty() || !to_disk->append({chunk.data.data(), chunk.data.size()})) {
          to_disk.reset();
          break;
        }
        at += chunk.data.size();
      }
    }
    fill.stop_keeping();
  };
  // Stored bytes into the fill and, for bodies too large for memory, to disk.
  auto take = [&](std::span<const char> stored) {
    if (stored.empty()) return;
    fill.append(stored);
    if (kept && fill.size() > job->max_object_bytes) {
      give_up_keeping();
    } else if (to_disk && !to_disk->append({stored.data(), stored.size()})) {
      to_disk.reset();
    }
  };
  auto fail = [&] {
    job->store->remove(job->object);
    fill.fail();
  };
  if (job->up.kind == Upstreamed::Kind::kFile) {
    upstream::FileResponse& file = job->up.file;
    std::vector<char> buffer(kFileChunk);
    uint64_t offset = file.offset, remaining = file.fd ? file.length : 0;
    if (!file.fd && !file.body.empty()) {
      std::optional<std::span<const char>> stored = job->encode(file.body);
      if (!stored) {
        fail();
        co_return;
      }
      take(*stored);
    }
    while (remaining > 0) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), remaining));
      ssize_t n = ::pread(file.fd.get(), buffer.data(), want, static_cast<off_t>(offset));
      std::optional<std::span<const char>> stored;
      if (n > 0) stored = job->encode({buffer.data(), static_cast<size_t>(n)});
      if (!stored) {
        fail();
        co_return;
      }
      take(*stored);
      offset += static_cast<uint64_t>(n);
      remaining -= static_cast<uint64_t>(n);
      if (!kept) {
        // Stops when nobody reads it and nothing is going to disk.
        const bool readers = co_await fill.wait_for_readers(kStreamWindow);
        if (!readers && !to_disk) {
          fill.fail();
          co_return;
        }
      }
    }
  } else {
    upstream::ResumingBody body(job->up.fetch, job->up.continuation.get());
    while (true) {
      auto chunk = co_await body.read();
      if (!chunk.ok()) {
        // A truncated body is never stored (the disk stream's temp file goes with it), and
        // every reader sees the failure.
        spdlog::warn("origin {}: response body failed while filling the cache: {}",
                     job->up.origin->config->id, chunk.error().message);
        job->store->remove(job->object);
        fill.fail();
        co_return;
      }
      if (chunk.value().empty()) break;
      std::optional<std::span<const char>> stored = job->encode(chunk.value());
      if (!stored) {
        spdlog::error("origin {}: compressing the body failed", job->up.origin->config->id);
        fail();
        co_return;
      }
      take(*stored);
      if (!kept) {
        // Stops when nobody reads it and nothing is going to disk.
        const bool readers = co_await fill.wait_for_readers(kStreamWindow);
        if (!readers && !to_disk) {
          fill.fail();
          co_return;
        }
      }
    }
    job->up.fetch->release();
  }
  std::optional<std::span<const char>> tail = job->finish_encoding();
  if (!tail) {
    fail();
    co_return;
  }
  take(*tail);
  uint64_t size = fill.size();
  fill.complete();
  if (kept) job->store->account(job->object, size + job->head_bytes);
  if (kept && job->disk) job->disk->store(std::move(job->primary), job->primary_hash, job->object);
  if (to_disk) to_disk->commit();
  if (job->up.origin) job->up.origin->stats.served->add(job->worker);
}

// Runs on the disk tier's read pool: reading and checksumming a record never blocks a worker.
net::awaitable<cache::DiskStore::Hit> load_from_disk(cache::DiskStore* disk, std::string primary,
                                                     uint64_t hash,
                                                     cache::DiskStore::SecondaryKeyFn wanted,
                                                     uint64_t inline_limit) {
  co_return disk->load(primary, hash, wanted, inline_limit);
}

// A request with nobody behind it, for background refreshes.
class DiscardSink final : public http::ResponseSink {
 public:
  net::awaitable<Status> send_head(http::ResponseHead, http::BodyLength) override {
    co_return ok_status();
  }
  net::awaitable<Status> send_body(std::span<const char>) override {
    // Nobody reads: stop streaming at once (the fill goes on without us).
    co_return make_error(ErrorKind::kViewerClosed, Fault::kViewer, "background");
  }
  net::awaitable<Status> finish() override { co_return ok_status(); }
  void abort() override {}
  bool committed() const override { return false; }
};

class EmptyBody final : public http::RequestBody {
 public:
  net::awaitable<Result<std::span<const char>>> read() override {
    co_return std::span<const char>{};
  }
  bool complete() const override { return true; }
};

struct BackgroundRequest {
  http::RequestHead head;
  EmptyBody body;
  DiscardSink sink;
  http::ViewerConnection viewer;
  http::Exchange exchange{head, body, sink, viewer};
};

}  // namespace

bool ProxyHandler::cacheable(const Request& r) const {
  if (!worker_.cache().store) return false;
  const http::RequestHead& req = r.ex.request;
  const config::CacheBehavior& b = *r.behavior;
  if (b.cache_policy.caching_disabled() || req.has_body()) return false;
  if (req.method == http::Method::kGet || req.method == http::Method::kHead) return true;
  return req.method == http::Method::kOptions && b.cached_methods.contains(http::Method::kOptions);
}

void ProxyHandler::invalidate_after_unsafe(const Request& r, int status) {
  // RFC 9111 4.4: a successful unsafe request invalidates what is stored for its URI.
  MemoryStore* store = worker_.cache().store;
  if (!store || !is_unsafe(r.ex.request.method) || status < 200 || status >= 400) return;
  // The method enters the key only for OPTIONS, so an unsafe request keys like its GET.
  cache::CacheKey key =
      cache::build_cache_key(r.behavior->cache_policy, r.dist->config->id, r.ex.request);
  store->remove_key(key.primary, key.hash);
  if (worker_.cache().disk) worker_.cache().disk->remove_key(key.hash);
}

std::shared_ptr<CachedObject> ProxyHandler::find_stored(const Request& r,
                                                        const cache::CacheKey& key) {
  MemoryStore& store = *worker_.cache().store;
  const http::RequestHead& req = r.ex.request;
  std::shared_ptr<CachedObject> found = store.find(
      key.primary, key.hash, variant_selector(req, r.behavior->cache_policy.honour_origin));
  // A settled body is complete: only others need the (locked) look at their state.
  if (found && !found->body->settled() && found->body->state() == Fill::State::kFailed) {
    store.remove(found);
    found.reset();
  }
  return found;
}

ProxyHandler::CacheVerdict ProxyHandler::hit_verdict(const ObjectMeta& meta, SystemTime now,
                                                     std::string_view detail) {
  std::string status = "edgefront; hit; ttl=";
  http::append_decimal(static_cast<uint64_t>(std::max<int64_t>(meta.ttl_left(now).count(), 0)),
                       status);
  status.append(detail);
  return CacheVerdict(kHit, std::move(status), CacheResult::kHit);
}

Status ProxyHandler::queue_stored_head(http::ResponseSink& sink, const ObjectMeta& meta,
                                       SystemTime now, const CacheVerdict& verdict,
                                       http::BodyLength length) {
  std::string own;
  own.reserve(160);
  http::append_header_line("Age", static_cast<uint64_t>(meta.age(now).count()), own);
  http::append_header_line("X-Cache", verdict.x_cache, own);
  http::append_header_line("Cache-Status", verdict.status, own);
  // Only hits keep the serialized head (see WireHeadSlot); other answers make their own.
  if (verdict.result == CacheResult::kHit) {
    return sink.queue_wire_head(meta.wire.get(meta.head), own, length);
  }
  http::WireHead wire;
  cache::serialize_stored_head(meta.head, wire);
  return sink.queue_wire_head(wire, own, length);
}

net::awaitable<int> ProxyHandler::serve_cacheable(Request& r, const RuntimeTarget& target,
                                                  std::string_view origin_path) {
  const CacheServices& services = worker_.cache();
  MemoryStore& store = *services.store;
  const http::RequestHead& req = r.ex.request;
  cache::CacheKey key = cache::build_cache_key(r.behavior->cache_policy, r.dist->config->id, req);
  auto vary_of = variant_selector(req, r.behavior->cache_policy.honour_origin);
  const bool collapse =
      cache::policy_allows_collapsing(r.behavior->cache_policy, r.behavior->forwarding);

  // A collapsed request whose leader's response turned out unshareable fetches on its own.
  for (int round = 0; round < 3; ++round) {
    SystemTime now = services.clock->system_now();
    std::shared_ptr<CachedObject> stale = find_stored(r, key);
    // A memory miss asks the disk tier; what it finds is verified, whole, and promoted.
    std::string_view tier;
    if (!stale && round == 0 && services.disk && services.disk->may_have(key.hash)) {
      cache::DiskStore::SecondaryKeyFn wanted = vary_of;
      auto loading = asio::co_spawn(services.disk->read_executor(),
                                    load_from_disk(services.disk, key.primary, key.hash,
                                                   std::move(wanted), services.max_object_bytes),
                                    asio::use_awaitable);
      cache::DiskStore::Hit hit = co_await std::move(loading);
      if (hit.object && !hit.file) {
        stale = std::move(hit.object);
        tier = "; detail=disk";
        store.insert(key.primary, key.hash, stale);
        store.account(stale, stale->body->size() + header_bytes(stale->meta->head));
      } else if (hit.object && hit.object->meta->freshness(now) != cache::Freshness::kStale) {
        // Too large for memory: streamed from the verified file, as a directory origin's.
        stale = std::move(hit.object);
        tier = "; detail=disk";
        auto job = std::make_shared<FillJob>();
        job->up.kind = Upstreamed::Kind::kFile;
        job->up.file.fd = std::move(hit.file);
        job->up.file.offset = hit.body_offset;
        job->up.file.length = hit.body_length;
        job->fill = stale->body;
        job->object = stale;
        job->runtime = r.rt;
        job->store = &store;
        job->max_object_bytes = services.max_object_bytes;
        job->worker = worker_.index();
        net::Executor executor = co_await asio::this_coro::executor;
        r.start_fill_when_reading = [job, executor] {
          asio::co_spawn(executor, run_fill(job), asio::detached);
        };
      }
      // A stale large copy is not worth streaming just to revalidate: refetch it.
    }
    if (stale) {
      switch (stale->meta->freshness(now)) {
        case cache::Freshness::kFresh:
          co_return co_await serve_object(r, stale, hit_verdict(*stale->meta, now, tier));
        case cache::Freshness::kStaleWhileRevalidate:
          refresh_in_background(co_await asio::this_coro::executor, r, target, origin_path, key,
                                stale);
          co_return co_await serve_object(
              r, stale,
              {kHit,
               fmt::format("edgefront; hit; ttl={}; detail=stale-while-revalidate",
                           stale->meta->ttl_left(now).count()),
               CacheResult::kStale});
        case cache::Freshness::kStale:
          break;
      }
    }
    if (!collapse) {
      co_return co_await lead_fetch(r, target, origin_path, key, stale,
                                    std::make_shared<MemoryStore::Pending>());
    }
    MemoryStore::Lookup lookup = store.join_or_lead(key.primary, key.hash);
    // With a stale copy at hand, the viewer waits for the origin at most serve_stale_after;
    // the fetch goes on in the background either way (CloudFront makes it wait it out).
    const auto stale_after = r.rt->config().server.cache.serve_stale_after;
    const bool bounded_wait = stale && stale_after.count() > 0;
    if (lookup.leader) {
      if (!bounded_wait) {
        co_return co_await lead_fetch(r, target, origin_path, key, stale, lookup.pending);
      }
      spawn_background_leader(co_await asio::this_coro::executor, r, target, origin_path, key,
                              stale, lookup.pending);
    }
    if (bounded_wait) {
      if (!co_await lookup.pending->wait_for(stale_after)) {
        co_return co_await serve_object(
            r, stale,
            {kHit,
             fmt::format("edgefront; hit; fwd=stale; detail=origin-slow-{}ms", stale_after.count()),
             CacheResult::kStale});
      }
    } else {
      co_await lookup.pending->wait();
    }
    std::shared_ptr<CachedObject> shared;
    {
      std::lock_guard lock(lookup.pending->mu);
      if (lookup.pending->outcome == MemoryStore::Pending::Outcome::kStored) {
        shared = lookup.pending->object;
      }
    }
    if (!shared) break;
    auto wanted = vary_of(*shared->meta);
    if (wanted && *wanted == shared->meta->secondary_key) {
      now = services.clock->system_now();
      co_return co_await serve_object(
          r, shared,
          {kHit,
           fmt::format("edgefront; hit; ttl={}; collapsed", shared->meta->ttl_left(now).count()),
           CacheResult::kCollapsed});
    }
  }
  count_lookup(r, CacheResult::kPass);
  Upstreamed up = co_await fetch_target(r, target, req, origin_path);
  http::HeaderList extra;
  extra.add("X-Cache", note_result(r, up.status >= 400 ? kError : kMiss));
  extra.add("Cache-Status", "edgefront; fwd=miss; detail=not-shareable");
  co_return co_await deliver(r, up, true, std::move(extra));
}

net::awaitable<int> ProxyHandler::lead_fetch(Request& r, const RuntimeTarget& target,
                                             std::string_view origin_path,
                                             const cache::CacheKey& key,
                                             std::shared_ptr<CachedObject> stale,
                                             std::shared_ptr<MemoryStore::Pending> pending) {
  const CacheServices& services = worker_.cache();
  MemoryStore& store = *services.store;
  PendingGuard guard(store, key.hash, std::move(pending));
  const config::Config& cfg = r.rt->config();
  const config::CachePolicy& policy = r.behavior->cache_policy;
  const http::RequestHead& viewer_request = r.ex.request;

  // The cache wants the whole object: the viewer's validators and Range are answered here.
  http::RequestHead origin_request = viewer_request;
  if (origin_request.method == http::Method::kHead) origin_request.method = http::Method::kGet;
  for (std::string_view h : {"If-None-Match", "If-Modified-Since", "If-Match",
                             "If-Unmodified-Since", "If-Range", "Range", "Request-Range"}) {
    origin_request.headers.remove(h);
  }
  if (stale && stale->meta->has_validator) {
    if (auto etag = stale->meta->head.get("ETag")) {
      origin_request.headers.add("If-None-Match", *etag);
    }
    if (auto lm = stale->meta->head.get("Last-Modified")) {
      origin_request.headers.add("If-Modified-Since", *lm);
    }
  }
  const uint64_t invalidation_seq = services.invalidations->sequence();
  const SystemTime request_time = services.clock->system_now();
  Upstreamed up = co_await fetch_target(r, target, origin_request, origin_path);
  const SystemTime response_time = services.clock->system_now();

  http::HeaderList served_by;
  if (cfg.server.served_by_header) {
    if (up.origin) served_by.add("X-Edgefront-Origin", up.origin->config->id);
    if (!up.attempts.empty()) served_by.add("X-Edgefront-Attempts", up.attempts);
  }

  // The origin failed: a stale copy beats an error (stale-if-error; CloudFront serves an
  // expired object on a 5xx unless the origin forbade it).
  const bool origin_failed = up.kind == Upstreamed::Kind::kFailure || up.status >= 500;
  if (stale && origin_failed) {
    cache::Seconds age = stale->meta->age(response_time);
    bool allowed = cache::usable_on_error(stale->meta->decision, age) ||
                   stale->meta->decision.serve_stale_on_origin_error;
    if (allowed) {
      guard.resolve(MemoryStore::Pending::Outcome::kStored, stale);
      up.fetch.reset();
      co_return co_await serve_object(
          r, stale,
          {kHit,
           fmt::format("edgefront; hit; fwd=stale; fwd-status={}; detail=stale-if-error",
                       up.status),
           CacheResult::kStale},
          std::move(served_by));
    }
  }
  if (up.kind == Upstreamed::Kind::kFailure) {
    count_lookup(r, CacheResult::kPass);
    http::HeaderList extra;
    extra.add("X-Cache", note_result(r, kError));
    extra.add("Cache-Status", fmt::format("edgefront; fwd=miss; fwd-status={}", up.status));
    co_return co_await deliver(r, up, true, std::move(extra));
  }

  http::ResponseHead& origin_head =
      up.kind == Upstreamed::Kind::kOrigin ? up.fetch->head() : up.file.head;

  if (stale && up.status == 304) {
    // Revalidated: the stored body stays, its headers and clock are refreshed.
    auto meta = std::make_shared<ObjectMeta>(*stale->meta);
    http::HeaderList update = origin_head.headers;
    upstream::rewrite_response_headers(update, origin_head.version, cfg.server.via_name);
    update.remove("Via");
    http::ResponseHead refreshed_head = meta->head.unpack();
    cache::refresh_from_304(refreshed_head.headers, update);
    if (meta->compressed != http::Coding::kIdentity) weaken_etag(refreshed_head.headers);
    meta->age_inputs = cache::age_inputs(refreshed_head.headers, request_time, response_time);
    meta->decision = cache::decide_storage(policy, origin_request, refreshed_head, response_time,
                                           error_caching_ttl(*r.dist, refreshed_head.status));
    meta->head = http::PackedHead(refreshed_head);
    if (up.fetch) up.fetch->release();
    auto refreshed = std::make_shared<CachedObject>(meta, stale->body, invalidation_seq);
    if (meta->decision.store) {
      store.insert(key.primary, key.hash, refreshed);
      store.account(refreshed, stale->body->size() + header_bytes(meta->head));
      if (services.disk) services.disk->store(key.primary, key.hash, refreshed);
      guard.resolve(MemoryStore::Pending::Outcome::kStored, refreshed);
    } else {
      store.remove(stale);
      if (services.disk) services.disk->remove(stale->id);
    }
    co_return co_await serve_object(
        r, refreshed,
        {kRefreshHit, "edgefront; fwd=stale; fwd-status=304", CacheResult::kRefreshHit},
        std::move(served_by));
  }

  // A full response: store it if the policy allows.
  auto custom = r.dist->custom_errors.find(up.status);
  const bool custom_page =
      custom != r.dist->custom_errors.end() && !custom->second->response_page_path.empty();
  cache::StorageDecision decision = cache::decide_storage(
      policy, origin_request, origin_head, response_time, error_caching_ttl(*r.dist, up.status));
  http::BodyLength length =
      up.kind == Upstreamed::Kind::kOrigin
          ? up.fetch->body_length()
          : http::BodyLength::known(up.file.fd ? up.file.length : up.file.body.size());
  std::optional<std::string> secondary =
      secondary_key(policy.honour_origin, origin_head.headers, viewer_request);
  std::string_view not_stored;
  if (!decision.store) {
    not_stored = decision.reason.empty() ? "not-cacheable" : decision.reason;
  } else if (custom_page) {
    not_stored = "custom-error-page";
  } else if (!secondary) {
    not_stored = "vary-star";
  } else if (length.kind == http::BodyLength::Kind::kKnown &&
             length.length > services.max_object_bytes &&
             !(services.disk && length.length < services.disk->capacity_bytes())) {
    not_stored = "too-large";
  } else if (up.status == 206 || up.status == 304) {
    not_stored = "partial";
  }
  if (!not_stored.empty()) {
    count_lookup(r, CacheResult::kPass);
    guard.resolve(MemoryStore::Pending::Outcome::kNotStored, nullptr);
    http::HeaderList extra;
    extra.add("X-Cache", note_result(r, up.status >= 400 ? kError : kMiss));
    extra.add("Cache-Status", fmt::format("edgefront; fwd={}; fwd-status={}; detail={}",
                                          stale ? "stale" : "miss", up.status, not_stored));
    if (not_stored == "too-large" && up.kind == Upstreamed::Kind::kOrigin && up.status == 200 &&
        viewer_request.method == http::Method::kGet && viewer_request.headers.contains("Range")) {
      // Too large to keep: rather than pull the whole body through for the bytes the viewer
      // asked for, drop this answer unread and ask the origin for the range itself.
      up.fetch.reset();
      Upstreamed ranged = co_await fetch_target(r, target, viewer_request, origin_path);
      http::HeaderList ranged_extra;
      ranged_extra.add("X-Cache", note_result(r, ranged.status >= 400 ? kError : kMiss));
      ranged_extra.add(
          "Cache-Status",
          fmt::format("edgefront; fwd=miss; fwd-status={}; detail=too-large-range", ranged.status));
      co_return co_await deliver(r, ranged, true, std::move(ranged_extra));
    }
    if (viewer_request.method == http::Method::kHead && up.kind == Upstreamed::Kind::kOrigin) {
      // We asked for GET to fill the cache; the viewer wanted only the head.
      http::ResponseHead head = std::move(up.fetch->head());
      upstream::rewrite_response_headers(head.headers, head.version, cfg.server.via_name);
      for (auto& [name, value] : served_by.fields()) head.headers.set(name, value);
      for (auto& [name, value] : extra.fields()) head.headers.add(name, value);
      int status = head.status;
      if ((co_await r.ex.response.send_head(std::move(head), length)).ok()) {
        (void)co_await r.ex.response.finish();
      }
      up.fetch.reset();  // unread body: the connection is not reused
      co_return status;
    }
    if (up.kind == Upstreamed::Kind::kFile) {
      // Directory origins answered the GET we made up; answer HEAD from the same head.
      up.file.body.clear();
      if (viewer_request.method == http::Method::kHead) up.file.fd.reset();
    }
    co_return co_await deliver(r, up, true, std::move(extra));
  }

  auto meta = std::make_shared<ObjectMeta>();
  http::ResponseHead stored_head = origin_head;
  upstream::rewrite_response_headers(stored_head.headers, stored_head.version, cfg.server.via_name);
  stored_head.version = {1, 1};
  meta->tags = response_tags(stored_head.headers, r.dist->config->cache_tag_header);
  stored_head.headers.remove("Surrogate-Key");
  for (const std::string& field : decision.omit_fields) stored_head.headers.remove(field);
  if (decision.strip_set_cookie ||
      r.behavior->forwarding.cookies == config::Forwarding::Cookies::kNone) {
    stored_head.headers.remove("Set-Cookie");
  }
  meta->age_inputs = cache::age_inputs(origin_head.headers, request_time, response_time);
  meta->decision = decision;
  if (length.kind == http::BodyLength::Kind::kKnown) meta->content_length = length.length;
  if (length.kind == http::BodyLength::Kind::kNone) meta->content_length = 0;
  cache::CompressionChoice compression =
      cache::choose_compression(*r.behavior, viewer_request, stored_head, meta->content_length);
  if (compression.coding != http::Coding::kIdentity) {
    mark_compressed(stored_head, *meta, compression.coding);
  }
  meta->has_validator =
      stored_head.headers.contains("ETag") || stored_head.headers.contains("Last-Modified");
  meta->head = http::PackedHead(stored_head);
  meta->secondary_key = std::move(*secondary);
  meta->distribution_id = r.dist->config->id;
  meta->path = std::string(viewer_request.target);

  auto fill = std::make_shared<Fill>(meta->content_length.value_or(0));
  auto object = std::make_shared<CachedObject>(meta, fill, invalidation_seq);
  store.insert(key.primary, key.hash, object);
  guard.resolve(MemoryStore::Pending::Outcome::kStored, object);

  auto job = std::make_shared<FillJob>();
  job->up = std::move(up);
  job->fill = fill;
  job->object = object;
  job->runtime = r.rt;
  job->store = &store;
  job->disk = services.disk;
  job->primary = key.primary;
  job->primary_hash = key.hash;
  job->max_object_bytes = services.max_object_bytes;
  job->head_bytes = header_bytes(meta->head);
  job->worker = worker_.index();
  job->compressor = http::Compressor::make(meta->compressed);
  const int status = job->up.status;
  asio::co_spawn(co_await asio::this_coro::executor, run_fill(std::move(job)), asio::detached);

  co_return co_await serve_object(
      r, object,
      {status >= 400 ? kError : kMiss,
       fmt::format("edgefront; fwd={}; fwd-status={}; stored", stale ? "stale" : "miss", status),
       CacheResult::kMiss},
      std::move(served_by));
}

void ProxyHandler::refresh_in_background(net::Executor executor, Request& r,
                                         const RuntimeTarget& target, std::string_view origin_path,
                                         const cache::CacheKey& key,
                                         std::shared_ptr<CachedObject> stale) {
  if (stale->refreshing.exchange(true)) return;  // one background refresh at a time
  MemoryStore::Lookup lookup = worker_.cache().store->join_or_lead(key.primary, key.hash);
  if (!lookup.leader) {
    stale->refreshing.store(false);
    return;  // a fetch for this key is already under way
  }
  spawn_background_leader(std::move(executor), r, target, origin_path, key, std::move(stale),
                          std::move(lookup.pending));
}

void ProxyHandler::spawn_background_leader(net::Executor executor, Request& r,
                                           const RuntimeTarget& target,
                                           std::string_view origin_path, const cache::CacheKey& key,
                                           std::shared_ptr<CachedObject> stale,
                                           std::shared_ptr<MemoryStore::Pending> pending) {
  auto bg = std::make_shared<BackgroundRequest>();
  bg->head = r.ex.request;
  bg->head.method = http::Method::kGet;
  bg->viewer = r.ex.viewer;
  struct Leader {
    static net::awaitable<void> run(ProxyHandler* self, std::shared_ptr<BackgroundRequest> bg,
                                    std::shared_ptr<const Runtime> rt,
                                    const RuntimeDistribution* dist,
                                    const config::CacheBehavior* behavior,
                                    const RuntimeTarget* target, std::string origin_path,
                                    cache::CacheKey key, std::shared_ptr<CachedObject> stale,
                                    std::shared_ptr<MemoryStore::Pending> pending) {
      Request request(bg->exchange, std::move(rt));
      request.dist = dist;
      request.behavior = behavior;
      (void)co_await self->lead_fetch(request, *target, origin_path, key, stale,
                                      std::move(pending));
      if (stale) stale->refreshing.store(false);
    }
  };
  // The runtime pointer keeps `target`, `dist` and `behavior` alive for the whole fetch.
  asio::co_spawn(executor,
                 Leader::run(this, bg, r.rt, r.dist, r.behavior, &target, std::string(origin_path),
                             key, std::move(stale), std::move(pending)),
                 asio::detached);
}

net::awaitable<int> ProxyHandler::serve_object(Request& r,
                                               const std::shared_ptr<CachedObject>& object,
                                               CacheVerdict verdict, http::HeaderList extra) {
  const CacheServices& services = worker_.cache();
  const ObjectMeta& meta = *object->meta;
  const http::RequestHead& req = r.ex.request;
  http::ResponseSink& sink = r.ex.response;
  SystemTime now = services.clock->system_now();
  Fill& fill = *object->body;
  count_lookup(r, verdict.result);
  note_result(r, verdict.edge);

  auto decorate = [&](http::ResponseHead& head) {
    head.headers.set("Age", fmt::format("{}", meta.age(now).count()));
    for (auto& [name, value] : extra.fields()) head.headers.set(name, value);
    head.headers.set("X-Cache", verdict.x_cache);
    head.headers.add("Cache-Status", verdict.status);
  };

  switch (cache::evaluate_conditionals(req, meta.head)) {
    case cache::ConditionalResult::kNotModified: {
      http::ResponseHead head = bodiless_head(304, meta, true);
      decorate(head);
      if ((co_await sink.send_head(std::move(head), http::BodyLength::none())).ok()) {
        (void)co_await sink.finish();
      }
      co_return 304;
    }
    case cache::ConditionalResult::kPreconditionFailed:
      co_return co_await respond_generated(r, 412, "A precondition failed.");
    case cache::ConditionalResult::kNone:
      break;
  }

  // The full length is known when the origin announced it or the body is all here.
  std::optional<uint64_t> total = meta.content_length;
  if (!total && fill.state() == Fill::State::kComplete) total = fill.size();
  const bool ranged = total && meta.head.status() == 200 && req.headers.contains("Range");

  if (!ranged && extra.empty() && sink.answers_at_once()) {
    // The common hit: the stored head serialized once, only this answer's fields formatted.
    http::BodyLength length = total ? http::BodyLength::known(*total) : http::BodyLength::unknown();
    const int status = meta.head.status();
    if (!queue_stored_head(sink, meta, now, verdict, length).ok()) co_return status;
    co_return co_await send_object_body(r, fill, status, length, 0, total.value_or(~0ull));
  }

  http::ResponseHead head = meta.head.unpack();
  decorate(head);
  uint64_t from = 0;
  uint64_t count = total.value_or(~0ull);
  http::BodyLength length = total ? http::BodyLength::known(*total) : http::BodyLength::unknown();
  if (ranged) {
    http::RangeRequest range = http::evaluate_range(req, head.headers, *total);
    if (range.kind == http::RangeRequest::Kind::kUnsatisfiable) {
      http::ResponseHead h = bodiless_head(416, meta, false);
      decorate(h);
      h.headers.set("Content-Range", http::unsatisfied_content_range(*total));
      if ((co_await sink.send_head(std::move(h), http::BodyLength::known(0))).ok()) {
        (void)co_await sink.finish();
      }
      co_return 416;
    }
    if (range.kind == http::RangeRequest::Kind::kSatisfiable && range.ranges.size() == 1) {
      const http::ByteRange& br = range.ranges.front();
      head.status = 206;
      head.reason.clear();
      head.headers.set("Content-Range", http::content_range(br, *total));
      from = br.first;
      count = br.length();
      length = http::BodyLength::known(count);
    } else if (range.kind == http::RangeRequest::Kind::kSatisfiable) {
      // multipart/byteranges: each part has its own small head, lengths known up front.
      std::string boundary = fmt::format("edgefront{:016x}", object->id ^ total.value());
      std::string type(meta.head.get("Content-Type").value_or(""));
      std::vector<std::string> part_heads;
      uint64_t body_length = 0;
      for (const http::ByteRange& br : range.ranges) {
        std::string ph = fmt::format("\r\n--{}\r\n", boundary);
        if (!type.empty()) ph += fmt::format("Content-Type: {}\r\n", type);
        ph += fmt::format("Content-Range: {}\r\n\r\n", http::content_range(br, *total));
        body_length += ph.size() + br.length();
        part_heads.push_back(std::move(ph));
      }
      std::string closing = fmt::format("\r\n--{}--\r\n", boundary);
      body_length += closing.size();
      head.status = 206;
      head.reason.clear();
      head.headers.set("Content-Type", fmt::format("multipart/byteranges; boundary={}", boundary));
      if (!(co_await sink.send_head(std::move(head), http::BodyLength::known(body_length))).ok()) {
        co_return 206;
      }
      if (req.method != http::Method::kHead) {
        for (size_t i = 0; i < range.ranges.size(); ++i) {
          if (!(co_await sink.send_body(part_heads[i])).ok()) co_return 206;
          if (!co_await stream_fill(r, fill, range.ranges[i].first, range.ranges[i].length())) {
            co_return 206;
          }
        }
        if (!(co_await sink.send_body(closing)).ok()) co_return 206;
      }
      (void)co_await sink.finish();
      co_return 206;
    }
  }
  int status = head.status;
  if (!(co_await sink.send_head(std::move(head), length)).ok()) co_return status;
  co_return co_await send_object_body(r, fill, status, length, from, count);
}

net::awaitable<int> ProxyHandler::send_object_body(Request& r, Fill& fill, int status,
                                                   http::BodyLength length, uint64_t from,
                                                   uint64_t count) {
  const http::RequestHead& req = r.ex.request;
  http::ResponseSink& sink = r.ex.response;
  if (req.method != http::Method::kHead && length.kind != http::BodyLength::Kind::kNone) {
    if (!co_await stream_fill(r, fill, from, count)) co_return status;
  }
  (void)co_await sink.finish();
  co_return status;
}

net::awaitable<bool> ProxyHandler::stream_fill(Request& r, Fill& fill, uint64_t from,
                                               uint64_t count) {
  ReaderSlot slot(fill);
  // Bytes before `from` are not needed: a fill in streaming mode must not wait for them.
  slot.progress(from);
  if (r.start_fill_when_reading) std::exchange(r.start_fill_when_reading, nullptr)();
  uint64_t offset = from;
  const uint64_t end = count == ~0ull ? ~0ull : from + count;
  while (offset < end) {
    Fill::Chunk chunk = fill.read(offset);
    if (!chunk.data.empty()) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(chunk.data.size(), end - offset));
      if (!(co_await r.ex.response.send_body(chunk.data.first(n))).ok()) co_return false;
      offset += n;
      slot.progress(offset);
      continue;
    }
    if (chunk.state == Fill::State::kComplete) {
      if (end != ~0ull && offset < end) break;  // shorter than announced: abort below
      co_return true;
    }
    if (chunk.state == Fill::State::kFailed) break;
    co_await fill.wait_beyond(offset);
  }
  if (offset >= end) co_return true;
  // Never pass a truncated body off as complete.
  r.ex.response.abort();
  co_return false;
}

}  // namespace edgefront::proxy
