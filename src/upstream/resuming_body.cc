#include "upstream/resuming_body.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace edgefront::upstream {

net::awaitable<Result<std::span<const char>>> ResumingBody::read() {
  while (true) {
    Result<std::span<const char>> chunk = co_await fetch_->read_body();
    if (chunk.ok()) {
      delivered_ += chunk.value().size();
      co_return chunk;
    }
    if (!source_) co_return chunk;
    source_->body_failed(chunk.error());
    if (!source_->plan()) co_return chunk;
    std::unique_ptr<OriginFetch> next = co_await source_->continue_from(delivered_);
    if (!next) co_return chunk;
    ContinuationCheck check = check_continuation(*source_->plan(), delivered_, next->head());
    if (check != ContinuationCheck::kSplice) {
      spdlog::warn("body cut after {} bytes; its continuation does not match ({}): aborted",
                   delivered_, continuation_check_name(check));
      co_return chunk;
    }
    fetch_ = std::move(next);
    ++continuations_;
    source_->spliced();
  }
}

}  // namespace edgefront::upstream
