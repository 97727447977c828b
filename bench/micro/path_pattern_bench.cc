// Cache-behavior path matching: the router tries patterns in order, so both a match and a
// miss on a wildcard pattern matter.
#include <benchmark/benchmark.h>

#include "routing/path_pattern.h"

namespace {

using edgefront::routing::PathPattern;

void BM_PathPatternMatch(benchmark::State& state) {
  PathPattern pattern("/static/*/app.*.js");
  for (auto _ : state) {
    benchmark::DoNotOptimize(pattern.matches("/static/js/v2/app.3f9a1c.js"));
  }
}
BENCHMARK(BM_PathPatternMatch);

void BM_PathPatternMiss(benchmark::State& state) {
  PathPattern pattern("/images/*.jpg");
  for (auto _ : state) {
    benchmark::DoNotOptimize(pattern.matches("/images/2024/summer/holiday/beach.png"));
  }
}
BENCHMARK(BM_PathPatternMiss);

}  // namespace
