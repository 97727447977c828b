#include "upstream/resume_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgefront::upstream {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;
using Kind = http::BodyLength::Kind;

http::RequestHead get(Fields fields = {}) {
  http::RequestHead r;
  r.method = http::Method::kGet;
  r.target = "/big.bin";
  for (auto& [k, v] : fields) r.headers.add(k, v);
  return r;
}

http::ResponseHead response(int status, Fields fields) {
  http::ResponseHead h;
  h.status = status;
  for (auto& [k, v] : fields) h.headers.add(k, v);
  return h;
}

constexpr std::string_view kLm = "Tue, 14 Nov 2023 22:00:00 GMT";

struct PlanCase {
  std::string name;
  http::RequestHead request;
  http::ResponseHead response;
  http::BodyLength length;
  std::optional<std::string> if_range;  // nullopt: may not resume
};

TEST(PlanResume, WhoMayBeContinued) {
  const auto known = http::BodyLength::known(1000);
  const std::vector<PlanCase> cases = {
      {"strong etag", get(), response(200, {{"ETag", "\"v1\""}}), known, "\"v1\""},
      {"strong etag, chunked", get(),
       response(200, {{"ETag", "\"v1\""}, {"Transfer-Encoding", "chunked"}}),
       http::BodyLength::unknown(), "\"v1\""},
      {"weak etag alone", get(), response(200, {{"ETag", "W/\"v1\""}}), known, std::nullopt},
      {"weak etag falls back to last-modified", get(),
       response(200, {{"ETag", "W/\"v1\""}, {"Last-Modified", std::string(kLm)}}), known,
       std::string(kLm)},
      {"last-modified and length", get(), response(200, {{"Last-Modified", std::string(kLm)}}),
       known, std::string(kLm)},
      {"last-modified a second before Date", get(),
       response(200,
                {{"Last-Modified", std::string(kLm)}, {"Date", "Tue, 14 Nov 2023 22:00:01 GMT"}}),
       known, std::string(kLm)},
      {"last-modified equal to Date is weak", get(),
       response(200, {{"Last-Modified", std::string(kLm)}, {"Date", std::string(kLm)}}), known,
       std::nullopt},
      {"last-modified without a length", get(),
       response(200, {{"Last-Modified", std::string(kLm)}, {"Transfer-Encoding", "chunked"}}),
       http::BodyLength::unknown(), std::nullopt},
      {"malformed last-modified", get(), response(200, {{"Last-Modified", "yesterday"}}), known,
       std::nullopt},
      {"no validator", get(), response(200, {}), known, std::nullopt},
      {"close-delimited", get(), response(200, {{"ETag", "\"v1\""}}), http::BodyLength::unknown(),
       std::nullopt},
      {"bodiless", get(), response(200, {{"ETag", "\"v1\""}}), http::BodyLength::none(),
       std::nullopt},
      {"accept-ranges none", get(), response(200, {{"ETag", "\"v1\""}, {"Accept-Ranges", "none"}}),
       known, std::nullopt},
      {"a partial answer", get({{"Range", "bytes=0-9"}}), response(206, {{"ETag", "\"v1\""}}),
       known, std::nullopt},
      {"viewer range answered whole", get({{"Range", "bytes=0-9"}}),
       response(200, {{"ETag", "\"v1\""}}), known, std::nullopt},
      {"not a 200", get(), response(404, {{"ETag", "\"v1\""}}), known, std::nullopt},
  };
  for (const PlanCase& c : cases) {
    std::optional<ResumePlan> plan = plan_resume(c.request, c.response, c.length);
    ASSERT_EQ(plan.has_value(), c.if_range.has_value()) << c.name;
    if (plan) {
      EXPECT_EQ(plan->if_range, *c.if_range) << c.name;
    }
  }
  http::RequestHead post = get();
  post.method = http::Method::kPost;
  EXPECT_FALSE(plan_resume(post, response(200, {{"ETag", "\"v1\""}}), known));
  http::RequestHead head = get();
  head.method = http::Method::kHead;
  EXPECT_FALSE(plan_resume(head, response(200, {{"ETag", "\"v1\""}}), known));
}

TEST(PlanResume, KeepsWhatTheContinuationMustMatch) {
  auto plan = plan_resume(get(),
                          response(200, {{"ETag", " \"v1\" "},
                                         {"Last-Modified", std::string(kLm)},
                                         {"Content-Encoding", "gzip"}}),
                          http::BodyLength::known(1000));
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->etag, "\"v1\"");
  EXPECT_EQ(plan->last_modified, kLm);
  EXPECT_EQ(plan->content_encoding, "gzip");
  EXPECT_EQ(plan->length, 1000u);
}

TEST(ContinuationRequest, RangeFromTheOffsetWithIfRange) {
  ResumePlan plan;
  plan.if_range = "\"v1\"";
  http::RequestHead r = get({{"If-None-Match", "\"v0\""},
                             {"If-Modified-Since", std::string(kLm)},
                             {"Range", "bytes=0-1"},
                             {"If-Range", "\"v0\""},
                             {"Accept", "*/*"}});
  make_continuation_request(r, plan, 65536);
  EXPECT_EQ(r.headers.get("Range"), "bytes=65536-");
  EXPECT_EQ(r.headers.get("If-Range"), "\"v1\"");
  EXPECT_FALSE(r.headers.contains("If-None-Match"));
  EXPECT_FALSE(r.headers.contains("If-Modified-Since"));
  EXPECT_EQ(r.headers.get("Accept"), "*/*");
  size_t ranges = 0;
  for (const auto& [name, value] : r.headers.fields()) ranges += name == "Range" ? 1 : 0;
  EXPECT_EQ(ranges, 1u);
}

TEST(ContentRange, Parses) {
  using CR = ContentRange;
  EXPECT_EQ(parse_content_range("bytes 10-99/100"), (CR{10, 99, 100}));
  EXPECT_EQ(parse_content_range("  BYTES 0-0/1 "), (CR{0, 0, 1}));
  EXPECT_EQ(parse_content_range("bytes 10-99/*"), (CR{10, 99, std::nullopt}));
  for (std::string_view bad :
       {"", "bytes", "bytes */100", "bytes 10-9/100", "bytes 10-99/99", "bytes 10-99/50",
        "items 10-99/100", "bytes 10-/100", "bytes -99/100", "bytes 1x-99/100", "bytes 10-99/100x",
        "bytes 99999999999999999999-1/2", "bytes 10-99"}) {
    EXPECT_EQ(parse_content_range(bad), std::nullopt) << bad;
  }
}

struct CheckCase {
  std::string name;
  http::ResponseHead response;
  ContinuationCheck expected;
};

TEST(CheckContinuation, SplicesOnlyTheRestOfTheSameBytes) {
  ResumePlan plan;
  plan.if_range = plan.etag = "\"v1\"";
  plan.last_modified = kLm;
  plan.length = 1000;
  const std::string lm(kLm);
  const std::vector<CheckCase> cases = {
      {"the rest",
       response(206, {{"ETag", "\"v1\""},
                      {"Content-Range", "bytes 400-999/1000"},
                      {"Content-Length", "600"},
                      {"Last-Modified", lm}}),
       ContinuationCheck::kSplice},
      {"without Content-Length (chunked)",
       response(206, {{"ETag", "\"v1\""}, {"Content-Range", "bytes 400-999/1000"}}),
       ContinuationCheck::kSplice},
      {"a 200: If-Range did not match", response(200, {{"ETag", "\"v2\""}}),
       ContinuationCheck::kNotPartial},
      {"a 416", response(416, {{"Content-Range", "bytes */1000"}}), ContinuationCheck::kNotPartial},
      {"another etag", response(206, {{"ETag", "\"v2\""}, {"Content-Range", "bytes 400-999/1000"}}),
       ContinuationCheck::kValidatorChanged},
      {"no etag", response(206, {{"Content-Range", "bytes 400-999/1000"}}),
       ContinuationCheck::kValidatorChanged},
      {"weak form of the etag",
       response(206, {{"ETag", "W/\"v1\""}, {"Content-Range", "bytes 400-999/1000"}}),
       ContinuationCheck::kValidatorChanged},
      {"another last-modified",
       response(206, {{"ETag", "\"v1\""},
                      {"Last-Modified", "Wed, 15 Nov 2023 22:00:00 GMT"},
                      {"Content-Range", "bytes 400-999/1000"}}),
       ContinuationCheck::kValidatorChanged},
      {"compressed now",
       response(206, {{"ETag", "\"v1\""},
                      {"Content-Encoding", "gzip"},
                      {"Content-Range", "bytes 400-999/1000"}}),
       ContinuationCheck::kEncodingChanged},
      {"starts elsewhere",
       response(206, {{"ETag", "\"v1\""}, {"Content-Range", "bytes 0-999/1000"}}),
       ContinuationCheck::kWrongRange},
      {"stops short", response(206, {{"ETag", "\"v1\""}, {"Content-Range", "bytes 400-899/1000"}}),
       ContinuationCheck::kWrongRange},
      {"another length",
       response(206, {{"ETag", "\"v1\""}, {"Content-Range", "bytes 400-1099/1100"}}),
       ContinuationCheck::kWrongRange},
      {"unknown complete length",
       response(206, {{"ETag", "\"v1\""}, {"Content-Range", "bytes 400-999/*"}}),
       ContinuationCheck::kWrongRange},
      {"no Content-Range (multipart)",
       response(206, {{"ETag", "\"v1\""}, {"Content-Type", "multipart/byteranges; boundary=x"}}),
       ContinuationCheck::kWrongRange},
      {"Content-Length disagrees",
       response(206, {{"ETag", "\"v1\""},
                      {"Content-Range", "bytes 400-999/1000"},
                      {"Content-Length", "500"}}),
       ContinuationCheck::kWrongRange},
  };
  for (const CheckCase& c : cases) {
    EXPECT_EQ(check_continuation(plan, 400, c.response), c.expected) << c.name;
  }
}

TEST(CheckContinuation, LastModifiedPlans) {
  ResumePlan plan;
  plan.if_range = plan.last_modified = kLm;
  plan.length = 1000;
  const std::string lm(kLm);
  EXPECT_EQ(check_continuation(plan, 10, response(206, {{"Content-Range", "bytes 10-999/1000"}})),
            ContinuationCheck::kSplice);
  EXPECT_EQ(
      check_continuation(
          plan, 10, response(206, {{"Last-Modified", lm}, {"Content-Range", "bytes 10-999/1000"}})),
      ContinuationCheck::kSplice);
  EXPECT_EQ(check_continuation(plan, 10,
                               response(206, {{"Last-Modified", "Wed, 15 Nov 2023 22:00:00 GMT"},
                                              {"Content-Range", "bytes 10-999/1000"}})),
            ContinuationCheck::kValidatorChanged);
}

TEST(CheckContinuation, UnknownLengthTakesTheContinuationsCompleteLength) {
  ResumePlan plan;
  plan.if_range = plan.etag = "\"v1\"";
  EXPECT_EQ(
      check_continuation(
          plan, 10, response(206, {{"ETag", "\"v1\""}, {"Content-Range", "bytes 10-4999/5000"}})),
      ContinuationCheck::kSplice);
}

}  // namespace
}  // namespace edgefront::upstream
