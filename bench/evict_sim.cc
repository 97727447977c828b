// Eviction simulator: replays a request trace through S3-FIFO and LRU at several cache sizes
// and prints object and byte hit ratios as a Markdown table. The trace is either generated
// (Zipf popularity over N objects, seeded) or read from a file of `key size` lines.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "cache/eviction.h"

namespace {

using edgefront::cache::EvictionPolicy;

struct Request {
  uint64_t key;
  uint64_t bytes;
};

struct Trace {
  std::string description;
  std::vector<Request> requests;
};

// Object sizes: "fixed:N", "uniform:MIN:MAX" or "lognormal:MEDIAN:SIGMA" (bytes), one size
// per object, drawn once.
class SizeModel {
 public:
  explicit SizeModel(const std::string& spec) {
    std::vector<std::string> parts;
    std::stringstream in(spec);
    for (std::string part; std::getline(in, part, ':');) parts.push_back(part);
    kind_ = parts.empty() ? "" : parts[0];
    if (kind_ == "fixed" && parts.size() == 2) {
      a_ = std::stod(parts[1]);
    } else if ((kind_ == "uniform" || kind_ == "lognormal") && parts.size() == 3) {
      a_ = std::stod(parts[1]);
      b_ = std::stod(parts[2]);
    } else {
      throw CLI::ValidationError("--sizes",
                                 "expected fixed:N, uniform:MIN:MAX or "
                                 "lognormal:MEDIAN:SIGMA, got " +
                                     spec);
    }
  }
  uint64_t draw(std::mt19937_64& rng) const {
    if (kind_ == "fixed") return static_cast<uint64_t>(a_);
    if (kind_ == "uniform") {
      return std::uniform_int_distribution<uint64_t>(static_cast<uint64_t>(a_),
                                                     static_cast<uint64_t>(b_))(rng);
    }
    double size = std::lognormal_distribution<double>(std::log(a_), b_)(rng);
    return std::max<uint64_t>(1, static_cast<uint64_t>(size));
  }

 private:
  std::string kind_;
  double a_ = 0;
  double b_ = 0;
};

Trace zipf_trace(size_t objects, size_t requests, double alpha, const SizeModel& sizes,
                 uint64_t seed, const std::string& size_spec) {
  std::mt19937_64 rng(seed);
  std::vector<double> cdf(objects);
  double sum = 0;
  for (size_t rank = 0; rank < objects; ++rank) {
    sum += 1.0 / std::pow(static_cast<double>(rank + 1), alpha);
    cdf[rank] = sum;
  }
  std::vector<uint64_t> object_bytes(objects);
  for (uint64_t& b : object_bytes) b = sizes.draw(rng);
  Trace trace;
  trace.description = fmt::format("zipf {} over {} objects, {} requests, sizes {}, seed {}", alpha,
                                  objects, requests, size_spec, seed);
  trace.requests.reserve(requests);
  std::uniform_real_distribution<double> uniform(0, sum);
  for (size_t i = 0; i < requests; ++i) {
    size_t rank = std::lower_bound(cdf.begin(), cdf.end(), uniform(rng)) - cdf.begin();
    rank = std::min(rank, objects - 1);
    // Scatter ranks over the key space so popularity is not tied to key order.
    uint64_t key = (rank + 1) * 0x9E3779B97F4A7C15ull;
    trace.requests.push_back({key, object_bytes[rank]});
  }
  return trace;
}

Trace file_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw CLI::ValidationError("--trace", "cannot open " + path);
  Trace trace;
  trace.description = "trace " + path;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    Request r;
    if (!(fields >> r.key >> r.bytes)) {
      throw CLI::ValidationError("--trace",
                                 fmt::format("{}:{}: expected `key size`", path, number));
    }
    trace.requests.push_back(r);
  }
  return trace;
}

struct Outcome {
  double object_hit_ratio;
  double byte_hit_ratio;
  double overhead_per_object;  // policy bookkeeping bytes per resident object at the end
};

// A hit is a request for a resident key; a miss fetches and inserts the object. Cold misses
// count: the ratios are over the whole trace.
Outcome replay(const Trace& trace, EvictionPolicy& policy) {
  std::unordered_set<uint64_t> resident;
  std::vector<uint64_t> evicted;
  uint64_t hits = 0, hit_bytes = 0, total_bytes = 0;
  for (const Request& r : trace.requests) {
    total_bytes += r.bytes;
    if (resident.contains(r.key)) {
      policy.on_hit(r.key);
      ++hits;
      hit_bytes += r.bytes;
      continue;
    }
    evicted.clear();
    policy.insert(r.key, r.bytes, evicted);
    resident.insert(r.key);
    for (uint64_t gone : evicted) resident.erase(gone);
  }
  double n = static_cast<double>(trace.requests.size());
  return {hits / n, static_cast<double>(hit_bytes) / static_cast<double>(total_bytes),
          policy.size() ? static_cast<double>(policy.memory_bytes()) / policy.size() : 0};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Replays a trace through S3-FIFO and LRU; prints hit ratios (Markdown)"};
  size_t objects = 100'000, requests = 1'000'000;
  double alpha = 1.0;
  uint64_t seed = 1;
  std::string sizes_spec = "fixed:4096", trace_path;
  std::vector<double> percents{0.1, 1, 10};
  app.add_option("--objects", objects, "distinct objects of the Zipf trace")
      ->check(CLI::PositiveNumber);
  app.add_option("--requests", requests, "requests of the Zipf trace")->check(CLI::PositiveNumber);
  app.add_option("--alpha", alpha, "Zipf exponent")->check(CLI::NonNegativeNumber);
  app.add_option("--sizes", sizes_spec, "fixed:N | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA");
  app.add_option("--seed", seed, "random seed");
  app.add_option("--trace", trace_path, "replay this file (`key size` per line) instead");
  app.add_option("--cache-percent", percents, "cache sizes, % of the working set bytes")
      ->delimiter(',');
  CLI11_PARSE(app, argc, argv);

  Trace trace;
  try {
    trace = trace_path.empty()
                ? zipf_trace(objects, requests, alpha, SizeModel(sizes_spec), seed, sizes_spec)
                : file_trace(trace_path);
  } catch (const CLI::Error& e) {
    return app.exit(e);
  }
  if (trace.requests.empty()) {
    fmt::print(stderr, "evict_sim: the trace has no requests\n");
    return 1;
  }
  std::unordered_map<uint64_t, uint64_t> distinct;
  for (const Request& r : trace.requests) distinct[r.key] = r.bytes;
  uint64_t working_set = 0;
  for (const auto& [key, bytes] : distinct) working_set += bytes;

  fmt::print("{}: {} distinct objects, working set {} bytes\n\n", trace.description,
             distinct.size(), working_set);
  fmt::print(
      "| cache | % of working set | policy | object hit ratio | byte hit ratio | "
      "policy bytes/object |\n|---:|---:|---|---:|---:|---:|\n");
  for (double percent : percents) {
    uint64_t capacity = std::max<uint64_t>(1, static_cast<uint64_t>(working_set * percent / 100));
    for (auto make : {&edgefront::cache::make_s3fifo, &edgefront::cache::make_lru}) {
      auto policy = make(capacity);
      Outcome o = replay(trace, *policy);
      fmt::print("| {} B | {}% | {} | {:.4f} | {:.4f} | {:.0f} |\n", capacity, percent,
                 policy->name(), o.object_hit_ratio, o.byte_hit_ratio, o.overhead_per_object);
    }
  }
  return 0;
}
