// Incremental HTTP/1.1 parser over llhttp (strict mode, no lenient flags), for requests from
// viewers and responses from origins. Pull-style: the caller feeds bytes and gets one event at
// a time; it pauses at the end of the head and at the end of each message so pipelined bytes
// stay in the caller's buffer.
#pragma once

#include <llhttp.h>

#include <span>
#include <string>
#include <vector>

#include "http/message.h"

namespace edgefront::http {

// True if a request's Transfer-Encoding fields, if any, name exactly one coding: chunked.
bool request_codings_supported(const HeaderList& headers);

class H1Parser {
 public:
  enum class Kind { kRequest, kResponse };
  struct Limits {
    size_t max_header_bytes = 20480;
    size_t max_header_count = 100;
    size_t max_uri_bytes = 8192;
  };
  enum class Event {
    kNeedMore,         // all input consumed, nothing complete yet
    kHeadComplete,     // request()/response() is filled in
    kBody,             // body_spans() has data (pointing into the fed buffer)
    kMessageComplete,  // message done; call next_message() before feeding the next one
    kError,            // error_status()/error_reason() say why; the connection must close
  };

  H1Parser(Kind kind, Limits limits);
  H1Parser(const H1Parser&) = delete;
  H1Parser& operator=(const H1Parser&) = delete;

  // Responses only: the method of the request, so a response to HEAD has no body.
  void set_request_method(Method method) { request_method_ = method; }

  // Parses a prefix of `data`; `consumed` says how much. Body spans stay valid only while
  // the fed buffer is unchanged.
  Event feed(std::span<const char> data, size_t& consumed);
  // The peer closed: completes a close-delimited body, or reports truncation.
  Event finish();

  RequestHead& request() { return request_; }
  ResponseHead& response() { return response_; }
  const std::vector<std::span<const char>>& body_spans() const { return body_; }
  void clear_body_spans() { body_.clear(); }

  bool head_complete() const { return head_complete_; }
  bool message_complete() const { return message_complete_; }
  // Prepares for the next message on the same connection.
  void next_message();

  int error_status() const { return error_status_; }
  const std::string& error_reason() const { return error_reason_; }
  // For responses: true if the body runs until the connection closes.
  bool body_until_close() const;
  bool keep_alive() const { return llhttp_should_keep_alive(&parser_) != 0; }
  uint64_t body_bytes() const { return body_bytes_; }
  // The current message's head as received (start line, fields, blank line).
  size_t head_bytes() const { return head_bytes_; }

 private:
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t len);
  static int on_status(llhttp_t* p, const char* at, size_t len);
  static int on_header_field(llhttp_t* p, const char* at, size_t len);
  static int on_header_value(llhttp_t* p, const char* at, size_t len);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t len);
  static int on_message_complete(llhttp_t* p);

  int fail(int status, std::string reason);
  int count_head_bytes(size_t n);
  bool head_has_obs_fold(std::span<const char> bytes);
  int complete_head();

  Kind kind_;
  Limits limits_;
  llhttp_settings_t settings_;
  llhttp_t parser_;
  RequestHead request_;
  ResponseHead response_;
  std::vector<std::span<const char>> body_;
  Method request_method_ = Method::kGet;
  size_t head_bytes_ = 0;
  size_t counted_head_bytes_ = 0;
  uint64_t body_bytes_ = 0;
  bool in_value_ = false;
  enum class FoldScan { kInLine, kAfterLf, kAfterLfCr, kDone };
  FoldScan fold_state_ = FoldScan::kInLine;
  bool head_complete_ = false;
  bool message_complete_ = false;
  int error_status_ = 0;
  std::string error_reason_;
};

}  // namespace edgefront::http
