// A response sink that applies the behavior's response headers policy to the head before
// handing everything on to the viewer's real sink.
#pragma once

#include <chrono>
#include <random>

#include "config/config.h"
#include "http/exchange.h"
#include "proxy/response_headers.h"

namespace edgefront::proxy {

class PolicySink final : public http::ResponseSink {
 public:
  PolicySink(http::ResponseSink& inner, const config::ResponseHeadersPolicy& policy,
             const http::RequestHead& request)
      : inner_(inner),
        policy_(policy),
        request_(request),
        started_(std::chrono::steady_clock::now()) {}

  net::awaitable<Status> send_head(http::ResponseHead head, http::BodyLength length) override {
    ServerTimingFacts timing;
    if (policy_.server_timing) {
      timing.first_byte = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started_);
      timing.sampled = sampled();
    }
    apply_response_headers_policy(policy_, request_, head, timing);
    return inner_.send_head(std::move(head), length);
  }
  net::awaitable<Status> send_body(std::span<const char> data) override {
    return inner_.send_body(data);
  }
  net::awaitable<Status> finish() override { return inner_.finish(); }
  void abort() override { inner_.abort(); }
  bool committed() const override { return inner_.committed(); }

 private:
  bool sampled() const {
    if (policy_.server_timing_sampling_percent >= 100) return true;
    if (policy_.server_timing_sampling_percent <= 0) return false;
    thread_local std::minstd_rand rng{std::random_device{}()};
    return std::uniform_real_distribution<double>(0, 100)(rng) <
           policy_.server_timing_sampling_percent;
  }

  http::ResponseSink& inner_;
  const config::ResponseHeadersPolicy& policy_;
  const http::RequestHead& request_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace edgefront::proxy
