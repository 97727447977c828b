// How much body a response may still carry once its head is out: none (HEAD, 1xx/204/304),
// exactly the announced Content-Length, or any amount (length unknown). Both codecs' sinks
// use it so neither sends more than it announced nor finishes short as if complete.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "http/exchange.h"

namespace edgefront::http {

class BodyAllowance {
 public:
  void start(bool no_body, BodyLength length) {
    no_body_ = no_body;
    known_ = length.kind != BodyLength::Kind::kUnknown;
    remaining_ = length.kind == BodyLength::Kind::kKnown ? length.length : 0;
  }
  bool no_body() const { return no_body_; }
  // Counts `n` bytes about to go out; an error when they overrun the announced length.
  Status take(uint64_t n) {
    if (known_) {
      if (n > remaining_) {
        return make_error(ErrorKind::kBadResponse, Fault::kOrigin, "body longer than its length");
      }
      remaining_ -= n;
    }
    taken_ += n;
    return ok_status();
  }
  // The announced length was not reached: finishing now would pass a truncated body off.
  bool short_of_length() const { return known_ && remaining_ > 0 && !no_body_; }
  // Ends the body: true the first time, false once ended; an error (and nothing ended) when
  // the announced length was not reached.
  Result<bool> end() {
    if (ended_) return false;
    if (short_of_length()) {
      return make_error(ErrorKind::kOriginClosed, Fault::kOrigin, "body shorter than its length");
    }
    ended_ = true;
    return true;
  }
  bool ended() const { return ended_; }
  // Body bytes taken so far.
  uint64_t taken() const { return taken_; }

 private:
  uint64_t remaining_ = 0;
  uint64_t taken_ = 0;
  bool known_ = false;
  bool no_body_ = false;
  bool ended_ = false;
};

}  // namespace edgefront::http
