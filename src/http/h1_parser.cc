#include "http/h1_parser.h"

#include <charconv>
#include <cstring>

#include "base/strings.h"

namespace edgefront::http {

namespace {
H1Parser* self(llhttp_t* p) { return static_cast<H1Parser*>(p->data); }

constexpr std::string_view kUnsupportedCoding =
    "transfer coding not implemented: only Transfer-Encoding: chunked is accepted";

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool request_codings_supported(const HeaderList& headers) {
  bool seen = false;
  for (const auto& [name, value] : headers.fields()) {
    if (!iequals(name, "Transfer-Encoding")) continue;
    std::string_view rest = value;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view coding = trim_ows(rest.substr(0, comma));
      // Exactly one coding in all: chunked. gzip, identity, empty elements: not ours to undo.
      if (seen || !iequals(coding, "chunked")) return false;
      seen = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return true;
}

H1Parser::H1Parser(Kind kind, Limits limits) : kind_(kind), limits_(limits) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &H1Parser::on_message_begin;
  settings_.on_url = &H1Parser::on_url;
  settings_.on_status = &H1Parser::on_status;
  settings_.on_header_field = &H1Parser::on_header_field;
  settings_.on_header_value = &H1Parser::on_header_value;
  settings_.on_headers_complete = &H1Parser::on_headers_complete;
  settings_.on_body = &H1Parser::on_body;
  settings_.on_message_complete = &H1Parser::on_message_complete;
  llhttp_init(&parser_, kind == Kind::kRequest ? HTTP_REQUEST : HTTP_RESPONSE, &settings_);
  parser_.data = this;
}

void H1Parser::next_message() {
  request_ = RequestHead{};
  response_ = ResponseHead{};
  body_.clear();
  head_bytes_ = 0;
  counted_head_bytes_ = 0;
  body_bytes_ = 0;
  in_value_ = false;
  fold_state_ = FoldScan::kInLine;
  head_complete_ = false;
  message_complete_ = false;
  if (llhttp_get_errno(&parser_) == HPE_PAUSED) llhttp_resume(&parser_);
}

int H1Parser::count_head_bytes(size_t n) {
  counted_head_bytes_ += n;
  if (counted_head_bytes_ > limits_.max_header_bytes) {
    return fail(kind_ == Kind::kRequest ? 431 : 502, "header section too large");
  }
  return 0;
}

int H1Parser::fail(int status, std::string reason) {
  error_status_ = status;
  error_reason_ = std::move(reason);
  // A failed message is never complete, even if llhttp got to its end before we objected.
  head_complete_ = false;
  message_complete_ = false;
  body_.clear();
  return -1;
}

H1Parser::Event H1Parser::feed(std::span<const char> data, size_t& consumed) {
  consumed = 0;
  if (error_status_ != 0) return Event::kError;
  if (message_complete_) return Event::kMessageComplete;
  if (data.empty()) return Event::kNeedMore;
  if (llhttp_get_errno(&parser_) == HPE_PAUSED) llhttp_resume(&parser_);

  bool head_was_complete = head_complete_;
  llhttp_errno_t err = llhttp_execute(&parser_, data.data(), data.size());
  if (err == HPE_OK) {
    consumed = data.size();
  } else if (err == HPE_PAUSED) {
    consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data.data());
  } else {
    if (error_status_ == 0 && err == HPE_INVALID_TRANSFER_ENCODING && kind_ == Kind::kRequest) {
      // A coding after chunked ("chunked, gzip"), refused by llhttp before the head ends.
      fail(501, std::string(kUnsupportedCoding));
    } else if (error_status_ == 0) {
      const char* reason = llhttp_get_error_reason(&parser_);
      fail(400, reason ? reason : llhttp_errno_name(err));
    }
    return Event::kError;
  }

  if (!head_was_complete) {
    std::span<const char> head_part = data.first(consumed);
    if (head_has_obs_fold(head_part)) {
      fail(400, "obsolete line folding is not allowed");
      return Event::kError;
    }
    if (!head_complete_) {
      head_bytes_ += consumed;
      if (head_bytes_ > limits_.max_header_bytes) {
        fail(kind_ == Kind::kRequest ? 431 : 502, "header section too large");
        return Event::kError;
      }
      return Event::kNeedMore;
    }
    head_bytes_ += consumed;
    return Event::kHeadComplete;
  }
  if (message_complete_ && body_.empty()) return Event::kMessageComplete;
  if (!body_.empty()) return Event::kBody;
  return message_complete_ ? Event::kMessageComplete : Event::kNeedMore;
}

H1Parser::Event H1Parser::finish() {
  if (error_status_ != 0) return Event::kError;
  if (message_complete_) return Event::kMessageComplete;
  llhttp_errno_t err = llhttp_finish(&parser_);
  if ((err == HPE_OK || err == HPE_PAUSED) && message_complete_) return Event::kMessageComplete;
  fail(kind_ == Kind::kRequest ? 400 : 502, head_complete_
                                                ? "connection closed before the end of the body"
                                                : "connection closed before the end of the head");
  return Event::kError;
}

bool H1Parser::body_until_close() const {
  return head_complete_ && !message_complete_ && (parser_.flags & F_CHUNKED) == 0 &&
         (parser_.flags & F_CONTENT_LENGTH) == 0 && llhttp_message_needs_eof(&parser_);
}

// A line that starts with SP or HTAB inside the head continues the previous header (obs-fold,
// RFC 9112 5.2). llhttp accepts it; a proxy must not, as other hops may read it differently.
// The scan stops at the blank line that ends the head, so body bytes are never inspected.
// Only the bytes right after each LF matter, so jump from LF to LF.
bool H1Parser::head_has_obs_fold(std::span<const char> bytes) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end && fold_state_ != FoldScan::kDone) {
    if (fold_state_ == FoldScan::kInLine) {
      const void* lf = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (lf == nullptr) return false;
      p = static_cast<const char*>(lf) + 1;
      fold_state_ = FoldScan::kAfterLf;
      continue;
    }
    char c = *p++;
    if (fold_state_ == FoldScan::kAfterLf) {
      if (c == ' ' || c == '\t') return true;
      fold_state_ = c == '\r'   ? FoldScan::kAfterLfCr
                    : c == '\n' ? FoldScan::kDone
                                : FoldScan::kInLine;
    } else {  // kAfterLfCr
      fold_state_ = c == '\n' ? FoldScan::kDone : FoldScan::kInLine;
    }
  }
  return false;
}

int H1Parser::on_message_begin(llhttp_t* p) {
  H1Parser* s = self(p);
  s->message_complete_ = false;
  return 0;
}

int H1Parser::on_url(llhttp_t* p, const char* at, size_t len) {
  H1Parser* s = self(p);
  s->request_.target.append(at, len);
  if (s->request_.target.size() > s->limits_.max_uri_bytes) return s->fail(414, "URI too long");
  return s->count_head_bytes(len);
}

int H1Parser::on_status(llhttp_t* p, const char* at, size_t len) {
  H1Parser* s = self(p);
  s->response_.reason.append(at, len);
  if (s->response_.reason.size() > 1024) return s->fail(502, "reason phrase too long");
  return 0;
}

int H1Parser::on_header_field(llhttp_t* p, const char* at, size_t len) {
  H1Parser* s = self(p);
  HeaderList& headers = s->kind_ == Kind::kRequest ? s->request_.headers : s->response_.headers;
  if (s->in_value_ || headers.empty()) {
    if (headers.size() >= s->limits_.max_header_count) {
      return s->fail(s->kind_ == Kind::kRequest ? 431 : 502, "too many header fields");
    }
    headers.fields().emplace_back();
    s->in_value_ = false;
  }
  headers.fields().back().first.append(at, len);
  return s->count_head_bytes(len + 4);  // + ": " and CRLF
}

int H1Parser::on_header_value(llhttp_t* p, const char* at, size_t len) {
  H1Parser* s = self(p);
  HeaderList& headers = s->kind_ == Kind::kRequest ? s->request_.headers : s->response_.headers;
  s->in_value_ = true;
  headers.fields().back().second.append(at, len);
  return s->count_head_bytes(len);
}

int H1Parser::on_headers_complete(llhttp_t* p) {
  H1Parser* s = self(p);
  int rc = s->complete_head();
  if (rc < 0) return rc;
  s->head_complete_ = true;
  // No pause here: body bytes already in this buffer become spans the caller reads next;
  // pausing at this point would leave llhttp unable to finish an empty body without input.
  return rc;
}

int H1Parser::complete_head() {
  Version version{static_cast<uint8_t>(llhttp_get_http_major(&parser_)),
                  static_cast<uint8_t>(llhttp_get_http_minor(&parser_))};
  if (version.major != 1) return fail(505, "HTTP version not supported");
  HeaderList& headers = kind_ == Kind::kRequest ? request_.headers : response_.headers;
  for (auto& [name, value] : headers.fields()) {
    // llhttp leaves trailing whitespace in values.
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  }
  bool chunked = (parser_.flags & F_CHUNKED) != 0;
  std::optional<uint64_t> content_length;
  if ((parser_.flags & F_CONTENT_LENGTH) != 0) content_length = parser_.content_length;
  if (kind_ == Kind::kRequest) {
    request_.version = version;
    request_.method_text = llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
    request_.method = parse_method(request_.method_text);
    request_.keep_alive = llhttp_should_keep_alive(&parser_) != 0;
    request_.chunked = chunked;
    request_.content_length = content_length;
    // RFC 9112 6.1: a coding the server does not understand gets 501, and decoding only the
    // chunked part of "gzip, chunked" would hand the origin a body it cannot read.
    if (!request_codings_supported(headers)) return fail(501, std::string(kUnsupportedCoding));
    if (parser_.upgrade && request_.method_text == "CONNECT") return 0;
    // An Upgrade request is served as a plain request: the Upgrade header is hop-by-hop and
    // is not forwarded, so skip llhttp's upgrade pause.
    parser_.upgrade = 0;
    return 0;
  }
  response_.version = version;
  response_.status = llhttp_get_status_code(&parser_);
  // Responses to HEAD, and 1xx/204/304, have no body (llhttp handles the status codes).
  return request_method_ == Method::kHead ? 1 : 0;
}

int H1Parser::on_body(llhttp_t* p, const char* at, size_t len) {
  H1Parser* s = self(p);
  s->body_.emplace_back(at, len);
  s->body_bytes_ += len;
  return 0;
}

int H1Parser::on_message_complete(llhttp_t* p) {
  H1Parser* s = self(p);
  s->message_complete_ = true;
  return HPE_PAUSED;
}

}  // namespace edgefront::http
