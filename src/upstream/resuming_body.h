// The body of an origin response that outlives the origin cutting it off. Every read error
// is reported to the ContinuationSource (an origin failure, for passive health and the
// counters); when the response can be continued (resume_policy.h) the source asks the next
// origin for the rest with Range + If-Range, and an answer that carries exactly the missing
// bytes of the same representation is spliced in: the reader (the viewer's response, a
// cache fill) sees one whole body. Anything else ends in the original error, so a truncated
// body is never passed off as complete.
#pragma once

#include <memory>
#include <optional>
#include <span>

#include "base/result.h"
#include "net/asio.h"
#include "upstream/origin_fetch.h"
#include "upstream/resume_policy.h"

namespace edgefront::upstream {

// Who is asked for the rest of a body, and told about its failures (the proxy knows the
// group's members: proxy/body_continuation.h).
class ContinuationSource {
 public:
  virtual ~ContinuationSource() = default;
  // How the body may be continued; nullopt: it may not (failures are still reported).
  virtual const std::optional<ResumePlan>& plan() const = 0;
  // The origin answering the body broke it off (after the head): an origin failure.
  virtual void body_failed(const Error& error) = 0;
  // Sends the continuation request for `offset` to the next origin able to take it and
  // returns its exchange with the response head read; nullptr when none is left.
  virtual net::awaitable<std::unique_ptr<OriginFetch>> continue_from(uint64_t offset) = 0;
  // The last continuation carried the missing bytes and is now being read.
  virtual void spliced() = 0;
};

class ResumingBody {
 public:
  // `fetch` is the slot holding the exchange being read; a continuation takes its place
  // there (the broken one is closed), so the slot's owner releases whichever ended the body.
  // `source` may be null: plain reads.
  ResumingBody(std::unique_ptr<OriginFetch>& fetch, ContinuationSource* source)
      : fetch_(fetch), source_(source) {}

  // Next body chunk; empty when complete; an error when the body is truncated for good.
  net::awaitable<Result<std::span<const char>>> read();
  // Bytes delivered so far, and how many continuations were spliced in.
  uint64_t delivered() const { return delivered_; }
  int continuations() const { return continuations_; }

 private:
  std::unique_ptr<OriginFetch>& fetch_;
  ContinuationSource* source_;
  uint64_t delivered_ = 0;
  int continuations_ = 0;
};

}  // namespace edgefront::upstream
