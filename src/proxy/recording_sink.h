// A response sink that notes, for the request's record, what the head it passes on says
// (Content-Type, Content-Length, Content-Range); everything else goes straight through,
// including the at-once calls, so hits keep their fast path while logged.
#pragma once

#include "http/exchange.h"
#include "http/h1_serialize.h"
#include "obs/request_record.h"

namespace edgefront::proxy {

// Content-Range "bytes first-last/length" -> {first, last}.
std::optional<std::pair<uint64_t, uint64_t>> parse_content_range(std::string_view value);
// The value of field `name` among serialized "Name: value\r\n" lines.
std::optional<std::string_view> find_header_line(std::string_view lines, std::string_view name);

class RecordingSink final : public http::ResponseSink {
 public:
  RecordingSink(http::ResponseSink& inner, obs::RequestRecord& record)
      : inner_(inner), record_(record) {}

  net::awaitable<Status> send_head(http::ResponseHead head, http::BodyLength length) override {
    note(head.headers.get("Content-Type"), head.headers.get("Content-Range"), length);
    return inner_.send_head(std::move(head), length);
  }
  net::awaitable<Status> send_body(std::span<const char> data) override {
    return inner_.send_body(data);
  }
  net::awaitable<Status> finish() override { return inner_.finish(); }
  void abort() override { inner_.abort(); }
  bool committed() const override { return inner_.committed(); }

  bool answers_at_once() const override { return inner_.answers_at_once(); }
  Status queue_wire_head(const http::WireHead& base, std::string_view own_lines,
                         http::BodyLength length) override {
    note(find_header_line(base.lines, "Content-Type"),
         find_header_line(base.lines, "Content-Range"), length);
    return inner_.queue_wire_head(base, own_lines, length);
  }
  Status send_body_at_once(std::span<const char> data) override {
    return inner_.send_body_at_once(data);
  }
  Status finish_at_once() override { return inner_.finish_at_once(); }
  net::awaitable<Status> flush() override { return inner_.flush(); }

 private:
  void note(std::optional<std::string_view> type, std::optional<std::string_view> range,
            http::BodyLength length) {
    if (type) record_.content_type = *type;
    if (length.kind == http::BodyLength::Kind::kKnown) record_.content_length = length.length;
    if (range) record_.range = parse_content_range(*range);
  }

  http::ResponseSink& inner_;
  obs::RequestRecord& record_;
};

}  // namespace edgefront::proxy
