# Two commands do everything on a fresh Debian 12 machine: `make run` and `make test`.
BUILD ?= build
PRESET_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
JOBS ?= $(shell nproc)
CONFIG ?=

.PHONY: all deps build run test test-sanitize bench fuzz format clean

all: build

deps:
	@scripts/setup-deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -G Ninja $(PRESET_FLAGS) -DEDGEFRONT_BENCH=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/edgefront serve $(if $(CONFIG),--config $(CONFIG),)

# The whole suite: unit + end-to-end under the normal build, then again under ASan+UBSan,
# then a short run of every fuzz target.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-sanitize

test-sanitize: deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEDGEFRONT_SANITIZE=ON \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

# Builds the Google Benchmark microbenchmarks too (kept out of `make test`), runs them briefly,
# then the eviction simulator and the side-by-side harness. BENCH_ARGS=--quick for a smoke run.
BENCH_ARGS ?=
bench: build
	@scripts/setup-deps.sh bench
	@cmake -S . -B $(BUILD) -G Ninja $(PRESET_FLAGS) -DEDGEFRONT_BENCH=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target edgefront evict_sim micro_bench disk_index
	bench/micro.sh $(BUILD)
	bench/run.sh $(BENCH_ARGS)

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-asan
