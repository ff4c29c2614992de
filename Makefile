# Thin wrapper over CMake: the two README commands and a few conveniences.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-libfuzzer
FUZZ_SECONDS ?= 30
BIN        := $(BUILD)/zhengtong
JOBS       ?= 2

.PHONY: all deps build run test test-unit test-api test-e2e test-pg test-cluster test-asan fuzz bench fmt lint clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Starts the demo node: creates data/zhengtong.db with demo data if absent,
# plus a year of synthetic operations in twelve provinces for the evaluation.
run: build
	@if [ ! -f data/zhengtong.db ]; then $(BIN) init >/dev/null && \
		$(BIN) demo generate --regions 12 --cases 40000 --seed 1; fi
	@exec $(BIN) serve

# Every test suite: unit (cmocka under ctest) and API (a real node over HTTP)
# on SQLite, the same again on a throw-away PostgreSQL with the multi-process
# cluster tests, and the web portal in a real browser (Debian chromium driven
# by playwright-core).
test: build
	@$(MAKE) --no-print-directory test-unit test-api test-pg test-e2e BUILD=$(BUILD)

test-unit:
	@cd $(BUILD) && ctest --output-on-failure

test-api:
	@tests/api/run $(abspath $(BIN))

test-e2e:
	@tests/e2e/run $(abspath $(BIN))

# Unit and API suites on PostgreSQL, then several processes behind nginx.
test-pg:
	@tests/with-pg $(MAKE) --no-print-directory test-unit test-api test-cluster BUILD=$(BUILD)

test-cluster:
	@if [ -x tests/cluster/run ]; then tests/cluster/run $(abspath $(BIN)); fi

# The unit and API suites under AddressSanitizer + UndefinedBehaviorSanitizer,
# on both backends (the crash test kills the node 10 times there instead of
# 50: the plain runs do the 50).
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DZT_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@ZT_CRASH_CYCLES=10 $(MAKE) --no-print-directory test-unit test-api BUILD=$(ASAN_BUILD)
	@ZT_CRASH_CYCLES=10 tests/with-pg $(MAKE) --no-print-directory test-unit test-api BUILD=$(ASAN_BUILD)

# Every libFuzzer harness of tests/fuzz/ (clang, ASan + UBSan) for
# FUZZ_SECONDS each, two at a time; fails on any crash, leak or hang and
# prints a summary. Kept crashing inputs are replayed by `make test` too.
fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZT_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	@tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@bench/run

fmt:
	@clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	@cppcheck --quiet --enable=warning,performance,portability --inline-suppr \
		--suppress=missingIncludeSystem -I src src

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
