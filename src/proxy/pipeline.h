// The request pipeline in CloudFront's phases: viewer-request checks (protocol policy,
// methods), origin selection with failover, origin-response handling (custom error pages),
// viewer response. Caching slots in between viewer-request and origin-request later.
#pragma once

#include <memory>
#include <string>

#include "http/exchange.h"
#include "proxy/worker_context.h"
#include "upstream/directory_origin.h"
#include "upstream/origin_fetch.h"
#include "upstream/origin_request.h"

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
};

class ProxyHandler final : public http::Handler {
 public:
  explicit ProxyHandler(WorkerContext& worker) : worker_(worker) {}
  net::awaitable<void> handle(http::Exchange& exchange) override;

 private:
  struct Request;
  net::awaitable<int> serve(Request& r);
  net::awaitable<Upstreamed> fetch_target(Request& r, const RuntimeTarget& target,
                                          const http::RequestHead& viewer_request,
                                          std::string_view origin_path);
  net::awaitable<int> deliver(Request& r, Upstreamed& up, bool allow_custom_errors = true);
  net::awaitable<int> deliver_custom_error(Request& r, Upstreamed& up,
                                           const config::CustomErrorResponse& custom);
  net::awaitable<int> respond_generated(Request& r, int status, std::string_view reason,
                                        http::HeaderList extra = {});
  net::awaitable<bool> stream_file(Request& r, upstream::FileResponse& file);

  WorkerContext& worker_;
};

}  // namespace edgefront::proxy
