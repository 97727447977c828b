#include "server/admin.h"

#include <fmt/format.h>

#include "http/error_page.h"

namespace edgefront::server {

namespace {
net::awaitable<void> reply(http::Exchange& ex, int status, std::string_view content_type,
                           std::string body) {
  http::ResponseHead head;
  head.status = status;
  head.headers.add("Server", "edgefront");
  head.headers.add("Content-Type", content_type);
  head.headers.add("Cache-Control", "no-store");
  if (!(co_await ex.response.send_head(std::move(head), http::BodyLength::known(body.size())))
           .ok()) {
    co_return;
  }
  if (!(co_await ex.response.send_body(body)).ok()) co_return;
  (void)co_await ex.response.finish();
}
}  // namespace

net::awaitable<void> AdminHandler::handle(http::Exchange& ex) {
  const std::string& token = runtime_.load()->config().server.admin_token;
  if (!token.empty()) {
    auto auth = ex.request.headers.get("Authorization");
    if (!auth || *auth != fmt::format("Bearer {}", token)) {
      co_await reply(ex, 401, "text/plain", "unauthorized\n");
      co_return;
    }
  }
  std::string_view path = ex.request.path();
  bool read = ex.request.method == http::Method::kGet || ex.request.method == http::Method::kHead;
  if (path == "/metrics" && read) {
    co_await reply(ex, 200, "text/plain; version=0.0.4", registry_.render());
  } else if (path == "/healthz" && read) {
    co_await reply(ex, 200, "text/plain", "ok\n");
  } else {
    co_await reply(ex, 404, "text/plain", "not found\n");
  }
}

}  // namespace edgefront::server
