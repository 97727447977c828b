// The pipeline's seams at CloudFront's four events, driven without sockets: a directory origin
// answers, a capturing sink stands in for the viewer, and test steps refuse, rewrite, generate
// and rewrite heads at each seam. Hits (the at-once path included) must run viewer-request
// steps too.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cache/invalidation.h"
#include "cache/memory_store.h"
#include "config/loader.h"
#include "http/h1_serialize.h"
#include "proxy/pipeline.h"
#include "upstream/health_registry.h"

namespace edgefront::proxy {
namespace {

class EmptyBody final : public http::RequestBody {
 public:
  net::awaitable<Result<std::span<const char>>> read() override {
    co_return std::span<const char>();
  }
  bool complete() const override { return true; }
};

// What the viewer would have received.
class CaptureSink final : public http::ResponseSink {
 public:
  explicit CaptureSink(bool at_once = false) : at_once_(at_once) {}
  net::awaitable<Status> send_head(http::ResponseHead h, http::BodyLength) override {
    head = std::move(h);
    committed_ = true;
    co_return ok_status();
  }
  net::awaitable<Status> send_body(std::span<const char> data) override {
    body.append(data.data(), data.size());
    co_return ok_status();
  }
  net::awaitable<Status> finish() override {
    finished = true;
    co_return ok_status();
  }
  void abort() override { aborted = true; }
  bool committed() const override { return committed_; }
  bool answers_at_once() const override { return at_once_; }
  Status queue_wire_head(const http::WireHead& base, std::string_view own_lines,
                         http::BodyLength) override {
    head.status = base.status;
    wire_lines = base.lines + std::string(own_lines);
    committed_ = true;
    return ok_status();
  }
  Status send_body_at_once(std::span<const char> data) override {
    body.append(data.data(), data.size());
    return ok_status();
  }
  Status finish_at_once() override {
    finished = true;
    return ok_status();
  }
  // A field of the answer, whichever way its head was given.
  std::optional<std::string> field(std::string_view name) const {
    if (auto v = head.headers.get(name)) return std::string(*v);
    std::string needle = "\r\n" + std::string(name) + ": ";
    size_t at = wire_lines.find(needle);
    if (at == std::string::npos) return std::nullopt;
    at += needle.size();
    return wire_lines.substr(at, wire_lines.find("\r\n", at) - at);
  }

  http::ResponseHead head;
  std::string wire_lines;
  std::string body;
  bool finished = false;
  bool aborted = false;

 private:
  bool at_once_;
  bool committed_ = false;
};

// A step made of a function, counting its runs.
struct FnRequestStep final : RequestStep {
  std::function<std::optional<GeneratedAnswer>(http::RequestHead&)> fn;
  mutable int runs = 0;
  std::string_view name() const override { return "test"; }
  std::optional<GeneratedAnswer> on_request(http::RequestHead& request,
                                            const StepContext&) const override {
    ++runs;
    return fn(request);
  }
};

struct FnResponseStep final : ResponseStep {
  std::function<std::optional<GeneratedAnswer>(http::ResponseHead&)> fn;
  mutable int runs = 0;
  std::string_view name() const override { return "test"; }
  std::optional<GeneratedAnswer> on_response(const http::RequestHead&, http::ResponseHead& head,
                                             const StepContext&) const override {
    ++runs;
    return fn(head);
  }
};

struct Provider final : StepProvider {
  PhaseSteps steps;
  PhaseSteps steps_for(const config::Distribution&, const config::CacheBehavior&) const override {
    return steps;
  }
};

GeneratedAnswer answer(int status, std::string body) {
  GeneratedAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

class PhaseSeams : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edgefront-seams-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/a.txt") << "file a";
    std::ofstream(dir_ + "/b.txt") << "file b";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Builds the runtime with `steps` on the default behavior; `cache` keeps answers 60 s.
  void start(PhaseSteps steps, bool cache = false) {
    std::string yaml =
        "cache_policies:\n"
        "  - {name: keep, min_ttl: 0s, default_ttl: 60s, max_ttl: 60s}\n"
        "distribution:\n"
        "  origins: [{id: files, directory: " +
        dir_ +
        "}]\n"
        "  default_cache_behavior:\n"
        "    target_origin_id: files\n"
        "    allowed_methods: [GET, HEAD]\n"
        "    cache_policy: " +
        (cache ? "keep" : "CachingDisabled") + "\n";
    config::LoadResult loaded = config::load_config_text(yaml, dir_ + "/test.yaml");
    ASSERT_TRUE(loaded.ok()) << loaded.problems.errors.front();
    provider_.steps = std::move(steps);
    auto config = std::make_shared<const config::Config>(std::move(loaded.config));
    auto rt = Runtime::build(config, registry_, health_, nullptr, &provider_);
    ASSERT_TRUE(rt.ok()) << rt.error().message;
    holder_.publish(rt.value());
    CacheServices services;
    services.invalidations = &board_;
    if (cache) services.store = &store_;
    worker_.emplace(0, holder_, services);
    handler_.emplace(*worker_);
  }

  // One request through the pipeline (or answered at once, if the handler can).
  bool serve(std::string target, CaptureSink& sink, bool try_at_once = false) {
    http::RequestHead request;
    request.method = http::Method::kGet;
    request.target = std::move(target);
    request.headers.add("Host", "edge.test");
    EmptyBody body;
    http::ViewerConnection viewer;
    viewer.peer_ip = "192.0.2.1";
    viewer.peer_port = 40000;
    http::Exchange exchange{request, body, sink, viewer};
    if (try_at_once && handler_->answer_at_once(exchange)) return true;
    asio::io_context context;
    asio::co_spawn(context, handler_->handle(exchange), asio::detached);
    context.run();
    return false;
  }

  std::string dir_;
  obs::Registry registry_{2};
  upstream::HealthRegistry health_;
  cache::InvalidationBoard board_;
  cache::MemoryStore store_{64 << 20, board_};
  RuntimeHolder holder_;
  Provider provider_;
  std::optional<WorkerContext> worker_;
  std::optional<ProxyHandler> handler_;
};

TEST_F(PhaseSeams, WithoutStepsTheOriginAnswers) {
  start({});
  CaptureSink sink;
  serve("/a.txt", sink);
  EXPECT_EQ(sink.head.status, 200);
  EXPECT_EQ(sink.body, "file a");
  EXPECT_TRUE(sink.finished);
}

TEST_F(PhaseSeams, ViewerRequestRefusesBeforeTheOrigin) {
  auto refuse = std::make_shared<FnRequestStep>();
  refuse->fn = [](http::RequestHead&) { return answer(403, "no"); };
  auto origin_side = std::make_shared<FnRequestStep>();
  origin_side->fn = [](http::RequestHead&) { return std::nullopt; };
  PhaseSteps steps;
  steps.viewer_request.push_back(refuse);
  steps.origin_request.push_back(origin_side);
  start(steps);
  CaptureSink sink;
  serve("/a.txt", sink);
  EXPECT_EQ(sink.head.status, 403);
  EXPECT_EQ(sink.body, "no");
  EXPECT_EQ(origin_side->runs, 0);
}

TEST_F(PhaseSeams, ViewerRequestRewritesTheUri) {
  auto rewrite = std::make_shared<FnRequestStep>();
  rewrite->fn = [](http::RequestHead& r) -> std::optional<GeneratedAnswer> {
    r.target = "/b.txt";
    return std::nullopt;
  };
  PhaseSteps steps;
  steps.viewer_request.push_back(rewrite);
  start(steps);
  CaptureSink sink;
  serve("/a.txt", sink);
  EXPECT_EQ(sink.head.status, 200);
  EXPECT_EQ(sink.body, "file b");
}

TEST_F(PhaseSeams, ViewerRequestGeneratesAnAnswer) {
  auto generate = std::make_shared<FnRequestStep>();
  generate->fn = [](http::RequestHead& r) -> std::optional<GeneratedAnswer> {
    GeneratedAnswer a = answer(200, "hello " + r.target);
    a.headers.add("Content-Type", "text/plain");
    return a;
  };
  PhaseSteps steps;
  steps.viewer_request.push_back(generate);
  start(steps);
  CaptureSink sink;
  serve("/x", sink);
  EXPECT_EQ(sink.head.status, 200);
  EXPECT_EQ(sink.body, "hello /x");
  EXPECT_EQ(sink.head.headers.get("Content-Type").value_or(""), "text/plain");
}

TEST_F(PhaseSeams, OriginRequestRewritesWhatTheOriginIsAsked) {
  auto rewrite = std::make_shared<FnRequestStep>();
  rewrite->fn = [](http::RequestHead& r) -> std::optional<GeneratedAnswer> {
    r.target = "/b.txt";
    return std::nullopt;
  };
  PhaseSteps steps;
  steps.origin_request.push_back(rewrite);
  start(steps);
  CaptureSink sink;
  serve("/a.txt", sink);
  EXPECT_EQ(sink.body, "file b");
  EXPECT_EQ(rewrite->runs, 1);
}

TEST_F(PhaseSeams, OriginRequestAnswersInsteadOfTheOrigin) {
  auto generate = std::make_shared<FnRequestStep>();
  generate->fn = [](http::RequestHead&) { return answer(418, "teapot"); };
  PhaseSteps steps;
  steps.origin_request.push_back(generate);
  start(steps);
  CaptureSink sink;
  serve("/a.txt", sink);
  EXPECT_EQ(sink.head.status, 418);
  EXPECT_EQ(sink.body, "teapot");
}

TEST_F(PhaseSeams, OriginResponseRewritesTheHeadThatIsCached) {
  auto add = std::make_shared<FnResponseStep>();
  add->fn = [](http::ResponseHead& h) -> std::optional<GeneratedAnswer> {
    h.headers.add("X-Origin-Step", "1");
    return std::nullopt;
  };
  PhaseSteps steps;
  steps.origin_response.push_back(add);
  start(steps, /*cache=*/true);
  CaptureSink miss;
  serve("/a.txt", miss);
  EXPECT_EQ(miss.field("X-Origin-Step").value_or(""), "1");
  CaptureSink hit;
  serve("/a.txt", hit);
  EXPECT_EQ(hit.field("X-Cache").value_or(""), "Hit from edgefront");
  EXPECT_EQ(hit.field("X-Origin-Step").value_or(""), "1");  // stored as the step left it
  EXPECT_EQ(add->runs, 1);
  EXPECT_EQ(hit.body, "file a");
}

TEST_F(PhaseSeams, OriginResponseReplacesTheAnswer) {
  auto replace = std::make_shared<FnResponseStep>();
  replace->fn = [](http::ResponseHead& h) -> std::optional<GeneratedAnswer> {
    if (h.status == 404) return answer(200, "fallback");
    return std::nullopt;
  };
  PhaseSteps steps;
  steps.origin_response.push_back(replace);
  start(steps);
  CaptureSink sink;
  serve("/missing.txt", sink);
  EXPECT_EQ(sink.head.status, 200);
  EXPECT_EQ(sink.body, "fallback");
}

TEST_F(PhaseSeams, ViewerResponseRewritesTheHeadOfMissesAndHits) {
  auto add = std::make_shared<FnResponseStep>();
  add->fn = [](http::ResponseHead& h) -> std::optional<GeneratedAnswer> {
    h.headers.set("X-Viewer-Step", "yes");
    return std::nullopt;
  };
  PhaseSteps steps;
  steps.viewer_response.push_back(add);
  start(steps, /*cache=*/true);
  CaptureSink miss;
  serve("/a.txt", miss);
  CaptureSink hit;
  serve("/a.txt", hit, /*try_at_once=*/true);
  EXPECT_EQ(miss.field("X-Viewer-Step").value_or(""), "yes");
  EXPECT_EQ(hit.field("X-Viewer-Step").value_or(""), "yes");
  EXPECT_EQ(hit.field("X-Cache").value_or(""), "Hit from edgefront");
  EXPECT_EQ(add->runs, 2);
}

TEST_F(PhaseSeams, ViewerResponseReplacesTheAnswerAndDropsTheBody) {
  auto replace = std::make_shared<FnResponseStep>();
  replace->fn = [](http::ResponseHead&) { return answer(451, "gone"); };
  PhaseSteps steps;
  steps.viewer_response.push_back(replace);
  start(steps);
  CaptureSink sink;
  serve("/a.txt", sink);
  EXPECT_EQ(sink.head.status, 451);
  EXPECT_EQ(sink.body, "gone");
  EXPECT_TRUE(sink.finished);
}

TEST_F(PhaseSeams, HitsRunViewerRequestStepsEvenWhenTheyCouldBeAnsweredAtOnce) {
  auto count = std::make_shared<FnRequestStep>();
  count->fn = [](http::RequestHead&) { return std::nullopt; };
  PhaseSteps steps;
  steps.viewer_request.push_back(count);
  start(steps, /*cache=*/true);
  CaptureSink miss(/*at_once=*/true);
  serve("/a.txt", miss, /*try_at_once=*/true);
  CaptureSink hit(/*at_once=*/true);
  bool at_once = serve("/a.txt", hit, /*try_at_once=*/true);
  EXPECT_FALSE(at_once);  // the full pipeline ran, with the step
  EXPECT_EQ(hit.field("X-Cache").value_or(""), "Hit from edgefront");
  EXPECT_EQ(hit.body, "file a");
  EXPECT_EQ(count->runs, 2);
}

TEST_F(PhaseSeams, ARefusingViewerRequestStepAlsoGuardsHits) {
  bool refuse = false;
  auto gate = std::make_shared<FnRequestStep>();
  gate->fn = [&refuse](http::RequestHead&) -> std::optional<GeneratedAnswer> {
    if (refuse) return answer(403, "refused");
    return std::nullopt;
  };
  PhaseSteps steps;
  steps.viewer_request.push_back(gate);
  start(steps, /*cache=*/true);
  CaptureSink miss(/*at_once=*/true);
  serve("/a.txt", miss, /*try_at_once=*/true);
  ASSERT_EQ(miss.body, "file a");
  refuse = true;
  CaptureSink hit(/*at_once=*/true);
  serve("/a.txt", hit, /*try_at_once=*/true);
  EXPECT_EQ(hit.head.status, 403);
  EXPECT_EQ(hit.body, "refused");
}

TEST_F(PhaseSeams, HitsWithoutStepsAreStillAnsweredAtOnce) {
  start({}, /*cache=*/true);
  CaptureSink miss(/*at_once=*/true);
  serve("/a.txt", miss, /*try_at_once=*/true);
  CaptureSink hit(/*at_once=*/true);
  EXPECT_TRUE(serve("/a.txt", hit, /*try_at_once=*/true));
  EXPECT_EQ(hit.body, "file a");
}

}  // namespace
}  // namespace edgefront::proxy
