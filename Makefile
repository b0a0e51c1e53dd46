# NarrativeWatch — `make run` and `make test` set everything up on a fresh Debian machine.

SWIFT     ?= swift
CONFIG    ?= Config/narrative-watch.toml
DATABASE  ?= var/narrative-watch.sqlite
BIN        = .build/debug/narrative-watch

# Debian packages: the C libraries the build links, and journald for the tests.
BUILD_DEPS := libcurl4-openssl-dev libsqlite3-dev libsystemd-dev libxml2-dev pkg-config
TEST_DEPS  := $(BUILD_DEPS) systemd

.PHONY: all build release run test journald deps test-deps webhook-verifier check-unit bench bench-parse fuzz-parse clean

all: build

## Install the build dependencies that are missing.
deps:
	@scripts/install-packages $(BUILD_DEPS)

test-deps:
	@scripts/install-packages $(TEST_DEPS)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## Build and run the daemon in the foreground on the example configuration, data under ./var/.
run: build
	@mkdir -p $(dir $(DATABASE))
	$(BIN) run --config $(CONFIG) --database $(DATABASE)

## Run every test: unit, adapter (SQLite, loopback HTTP) and end-to-end (the built binary, journald).
test: test-deps journald webhook-verifier
	$(SWIFT) build --build-tests
	scripts/check-unit $(BIN)
	$(SWIFT) test

## The unit file: `systemd-analyze verify` silent, `systemd-analyze security --offline=true` at 1.5 or lower.
check-unit: build
	scripts/check-unit $(BIN)

## Throughput benchmarks (release build) on a generated 2,000-feed corpus; see Benchmarks/bench.
bench: deps
	Benchmarks/bench $(BENCH_CORPUS)

## Parser throughput over the generated 2,000-feed corpus (needs ../shared/tools/gen-feed-corpus or CORPUS_TOOL).
bench-parse: release
	Benchmarks/parse-throughput.sh .build/release/narrative-watch $(or $(CORPUS_TOOL),../shared/tools/gen-feed-corpus)

## The parser's mutation test, long: FUZZ_ITERATIONS mutated feeds (default 1,000,000), FUZZ_SEED to vary.
fuzz-parse:
	NW_FUZZ_ITERATIONS=$(or $(FUZZ_ITERATIONS),1000000) NW_FUZZ_SEED=$(or $(FUZZ_SEED),20261128) \
		$(SWIFT) test --filter FeedParserFuzzTests

## The Standard Webhooks reference library from PyPI: the tests' independent signature verifier.
webhook-verifier:
	@python3 -c 'import standardwebhooks' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check standardwebhooks

## Start a journald when none is running (containers, CI).
journald:
	@scripts/ensure-journald

clean:
	rm -rf .build var
