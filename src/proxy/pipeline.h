// The request pipeline in CloudFront's phases: viewer-request checks (protocol policy,
// methods), origin selection with failover, origin-response handling (custom error pages),
// viewer response. Caching slots in between viewer-request and origin-request later.
#pragma once

#include <memory>
#include <string>

#include "cache/cache_key.h"
#include "cache/memory_store.h"
#include "http/exchange.h"
#include "obs/request_record.h"
#include "proxy/phase_steps.h"
#include "proxy/worker_context.h"
#include "upstream/directory_origin.h"
#include "upstream/origin_fetch.h"
#include "upstream/origin_request.h"
#include "upstream/resuming_body.h"

namespace edgefront::proxy {

// What fetching from a target produced: a live origin response, a file, or a failure.
struct Upstreamed {
  enum class Kind { kOrigin, kFile, kFailure };
  Kind kind = Kind::kFailure;
  std::unique_ptr<upstream::OriginFetch> fetch;
  upstream::FileResponse file;
  const RuntimeOrigin* origin = nullptr;  // who answered (null for a failure)
  int status = 0;
  std::string failure_reason;
  std::string attempts;  // "primary=503, secondary=200"
  // Continues a body the origin breaks off, and reports the break (body_continuation.h).
  std::unique_ptr<upstream::ContinuationSource> continuation;
};

class ProxyHandler final : public http::Handler {
 public:
  explicit ProxyHandler(WorkerContext& worker) : worker_(worker) {}
  net::awaitable<void> handle(http::Exchange& exchange) override;
  // A fresh hit in memory whose body is one block, without conditionals or ranges, and
  // without a response headers policy (hit_at_once.cc).
  bool answer_at_once(http::Exchange& exchange) override;

 private:
  struct Request;
  // An answer the viewer-request checks require instead of serving the request.
  struct Refusal {
    int status;
    std::string_view reason;
    http::HeaderList extra;
  };
  // Sets the request's distribution and behavior.
  routing::Route route(Request& r) const;
  // Distribution enabled, viewer protocol policy, allowed methods, no body on GET or HEAD.
  std::optional<Refusal> refusal(const Request& r, const routing::Route& route) const;
  net::awaitable<int> serve(Request& r);
  // The request's counters once it is answered: by status class, and its distribution's
  // CloudFront metrics (bytes, error codes, duration since `start`).
  void record_answer(const Request& r, int status, SteadyTime start) const;
  void count_lookup(const Request& r, CacheResult result) const;
  net::awaitable<int> serve_routed(Request& r, const routing::Route& route);
  // origin-request, the attempts, origin-response.
  net::awaitable<Upstreamed> fetch_target(Request& r, const RuntimeTarget& target,
                                          const http::RequestHead& viewer_request,
                                          std::string_view origin_path);
  net::awaitable<Upstreamed> fetch_with_steps(Request& r, const RuntimeTarget& target,
                                              const PhaseSteps& steps,
                                              const http::RequestHead& viewer_request,
                                              std::string_view origin_path);
  net::awaitable<Upstreamed> fetch_attempts(Request& r, const RuntimeTarget& target,
                                            const http::RequestHead& viewer_request,
                                            std::string_view origin_path);
  // The phase seams (phase_seams.cc).
  StepContext step_context(const Request& r) const;
  // An answer a step generated, as what an origin would have answered.
  static Upstreamed generated_upstream(GeneratedAnswer answer, http::Method method);
  net::awaitable<int> respond_answer(Request& r, GeneratedAnswer answer);
  net::awaitable<int> deliver(Request& r, Upstreamed& up, bool allow_custom_errors = true,
                              http::HeaderList extra = {});
  net::awaitable<int> deliver_custom_error(Request& r, Upstreamed& up,
                                           const config::CustomErrorResponse& custom);
  net::awaitable<int> respond_generated(Request& r, int status, std::string_view reason,
                                        http::HeaderList extra = {});
  net::awaitable<bool> stream_file(Request& r, upstream::FileResponse& file);

  // The cache (cache_flow.cc).
  struct CacheVerdict {
    // A constructor, not an aggregate: GCC 12 mis-initialises aggregates built in a
    // co_await's argument list.
    CacheVerdict(obs::EdgeResult e, std::string s, CacheResult r)
        : edge(e), x_cache(obs::x_cache_value(e)), status(std::move(s)), result(r) {}
    obs::EdgeResult edge;
    std::string_view x_cache;  // "Hit from edgefront", ...
    std::string status;        // this cache's RFC 9211 Cache-Status member
    CacheResult result;
  };
  bool cacheable(const Request& r) const;
  // The object stored in memory for `key` that this request's variant selects; a failed fill
  // is dropped, not returned.
  std::shared_ptr<cache::CachedObject> find_stored(const Request& r, const cache::CacheKey& key);
  // A fresh hit's verdict: "edgefront; hit; ttl=N" plus `detail`.
  static CacheVerdict hit_verdict(const cache::ObjectMeta& meta, SystemTime now,
                                  std::string_view detail);
  // Queues a stored object's head on a sink that answers_at_once: serialized once (kept for
  // hits) plus this answer's own Age, X-Cache and Cache-Status.
  static Status queue_stored_head(http::ResponseSink& sink, const cache::ObjectMeta& meta,
                                  SystemTime now, const CacheVerdict& verdict,
                                  http::BodyLength length);
  net::awaitable<int> serve_cacheable(Request& r, const RuntimeTarget& target,
                                      std::string_view origin_path);
  net::awaitable<int> lead_fetch(Request& r, const RuntimeTarget& target,
                                 std::string_view origin_path, const cache::CacheKey& key,
                                 std::shared_ptr<cache::CachedObject> stale,
                                 std::shared_ptr<cache::MemoryStore::Pending> pending);
  net::awaitable<int> serve_object(Request& r, const std::shared_ptr<cache::CachedObject>& object,
                                   CacheVerdict verdict, http::HeaderList extra = {});
  // The body of a stored object from `from` (or none for HEAD and bodiless answers), then the
  // end of the answer; returns `status`.
  net::awaitable<int> send_object_body(Request& r, cache::Fill& fill, int status,
                                       http::BodyLength length, uint64_t from, uint64_t count);
  net::awaitable<bool> stream_fill(Request& r, cache::Fill& fill, uint64_t from, uint64_t count);
  void refresh_in_background(net::Executor executor, Request& r, const RuntimeTarget& target,
                             std::string_view origin_path, const cache::CacheKey& key,
                             std::shared_ptr<cache::CachedObject> stale);
  void spawn_background_leader(net::Executor executor, Request& r, const RuntimeTarget& target,
                               std::string_view origin_path, const cache::CacheKey& key,
                               std::shared_ptr<cache::CachedObject> stale,
                               std::shared_ptr<cache::MemoryStore::Pending> pending);
  void invalidate_after_unsafe(const Request& r, int status);

  // The request record (request_log.cc): the result an answer carries in X-Cache, and the
  // log step every request ends with, whichever entry point served it.
  static std::string_view note_result(Request& r, obs::EdgeResult result);
  bool logs(const Request& r) const;
  void log_request(Request& r);

  WorkerContext& worker_;
};

}  // namespace edgefront::proxy
