// The commonest request a CDN sees, answered without a coroutine: a fresh hit kept in memory.
// The full pipeline (serve -> serve_routed -> serve_cacheable -> serve_object -> the body
// loop) costs a coroutine frame per step, most of them too large for Asio's frame cache; for
// a 1 KiB hit those frames were a tenth of the CPU time. Every decision here is the full
// pipeline's own (route, refusal, cacheable, find_stored, hit_verdict, queue_stored_head, the
// conditional and range checks); anything else falls back to handle() having sent nothing.
#include "cache/conditional.h"
#include "proxy/pipeline.h"
#include "proxy/request.h"

namespace edgefront::proxy {

namespace {

// What the socket does not take at once is copied for the sink's flush(): bounded here.
// Larger bodies go through the body loop, which waits on the socket with no copy.
constexpr uint64_t kAtOnceLimit = 64 * 1024;

}  // namespace

bool ProxyHandler::answer_at_once(http::Exchange& exchange) {
  http::ResponseSink& sink = exchange.response;
  const CacheServices& services = worker_.cache();
  if (!sink.answers_at_once() || !services.store) return false;
  const SteadyTime start = std::chrono::steady_clock::now();
  Request r(exchange, worker_.runtime());
  routing::Route route = this->route(r);
  // A behavior with steps at CloudFront's events takes the full pipeline, where every step
  // runs (a viewer-request step may rewrite the request, so it must run exactly once).
  if (r.behavior->response_headers_policy || r.dist->steps_for(r.behavior) || refusal(r, route) ||
      !cacheable(r)) {
    return false;
  }

  const http::RequestHead& req = exchange.request;
  cache::CacheKey key = cache::build_cache_key(r.behavior->cache_policy, r.dist->config->id, req);
  std::shared_ptr<cache::CachedObject> object = find_stored(r, key);
  if (!object) return false;
  cache::Fill& fill = *object->body;
  // Settled (complete with every block kept): no reader slot, no waiting for bytes.
  if (!fill.settled()) return false;
  const cache::ObjectMeta& meta = *object->meta;
  SystemTime now = services.clock->system_now();
  if (meta.freshness(now) != cache::Freshness::kFresh) return false;
  if (cache::evaluate_conditionals(req, meta.head) != cache::ConditionalResult::kNone) {
    return false;
  }
  if (meta.head.status() == 200 && req.headers.contains("Range")) return false;
  const uint64_t total = fill.size();
  if (total > kAtOnceLimit) return false;
  cache::Fill::Chunk body = fill.read(0);
  if (body.data.size() != total) return false;  // several blocks: the body loop sends them

  CacheVerdict verdict = hit_verdict(meta, now, "");
  count_lookup(r, verdict.result);
  note_result(r, verdict.edge);
  // From here on the answer is this one: errors end it in the sink, as in the full pipeline.
  Status sent = queue_stored_head(sink, meta, now, verdict, http::BodyLength::known(total));
  if (sent.ok() && req.method != http::Method::kHead) sent = sink.send_body_at_once(body.data);
  if (sent.ok()) (void)sink.finish_at_once();
  record_answer(r, meta.head.status(), start);
  if (logs(r)) {
    if (auto type = meta.head.get("Content-Type")) r.record.content_type = *type;
    r.record.content_length = total;
    log_request(r);
  }
  return true;
}

}  // namespace edgefront::proxy
