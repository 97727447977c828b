// Result<T>: the error channel of the data path (no exceptions there).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace edgefront {

// Whose fault an error is; decides the status code and whether health is affected.
enum class Fault { kViewer, kOrigin, kInternal };

// What failed, in terms the failover decision and the status mapping understand.
enum class ErrorKind {
  kBadRequest,      // viewer sent something malformed
  kViewerClosed,    // viewer went away
  kViewerTimeout,   // viewer too slow (slowloris, idle)
  kConnectFailed,   // origin refused / unreachable / DNS failure / TLS failure
  kConnectTimeout,  // origin did not complete connect in time
  kReadTimeout,     // origin did not answer (or stalled) within the read timeout
  kOriginClosed,    // origin closed or reset before a complete response
  kBadResponse,     // origin sent an unparseable response
  kTooLarge,        // a limit was exceeded
  kNotFound,        // e.g. directory origin miss surfaced as an error
  kInternal,
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  Fault fault = Fault::kInternal;
  std::string message;
};

inline Error make_error(ErrorKind kind, Fault fault, std::string message) {
  return Error{kind, fault, std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace edgefront
