# NarrativeWatch — `make run` and `make test` set everything up on a fresh Debian machine.

SWIFT     ?= swift
CONFIG    ?= Config/narrative-watch.toml
DATABASE  ?= var/narrative-watch.sqlite
BIN        = .build/debug/narrative-watch

# `make install` destinations, as Debian lays them out; DESTDIR stages into a tree (packaging).
PREFIX     ?= /usr
SYSCONFDIR ?= /etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
MANDIR     ?= $(PREFIX)/share/man
DOCDIR     ?= $(PREFIX)/share/doc/narrative-watch
STATIC_BUILD = .build/static
MANPAGE     = .build/plugins/GenerateManual/outputs/narrative-watch/narrative-watch.1

# Debian packages: the C libraries the build links; journald and the tz database for the tests.
BUILD_DEPS := libcurl4-openssl-dev libsqlite3-dev libsystemd-dev libxml2-dev pkg-config
TEST_DEPS  := $(BUILD_DEPS) systemd tzdata

.PHONY: all build release release-static manual install uninstall run test journald deps test-deps webhook-verifier check-unit systemd-test bench bench-parse fuzz-parse fuzz clean

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

## The binary to install: the Swift runtime linked in, libcurl, SQLite and libsystemd from the
## system, in a build directory of its own (the manual's plugin links .build/release without these
## flags). Linked by lld: relative relocations packed (RELR: 10 KB instead of 1.2 MB read at every
## start) and the functions the daemon runs placed side by side (scripts/gen-function-order), so the
## kernel maps a fraction of the code. SwiftPM rebuilds neither for changed flags nor for a changed
## order file: the directory is started afresh when the flags change, the binary relinked when the list does.
STATIC_FLAGS = --static-swift-stdlib -Xswiftc -use-ld=lld -Xswiftc -Xfrontend -Xswiftc -function-sections \
	-Xcc -ffunction-sections -Xlinker -z -Xlinker pack-relative-relocs \
	-Xlinker --symbol-ordering-file=$(CURDIR)/scripts/function-order.txt -Xlinker --no-warn-symbol-ordering
release-static: deps
	@echo '$(STATIC_FLAGS)' | cmp -s - $(STATIC_BUILD)/flags || \
		{ rm -rf $(STATIC_BUILD); mkdir -p $(STATIC_BUILD); echo '$(STATIC_FLAGS)' >$(STATIC_BUILD)/flags; }
	@if [ scripts/function-order.txt -nt $(STATIC_BUILD)/release/narrative-watch ]; then rm -f $(STATIC_BUILD)/release/narrative-watch; fi
	$(SWIFT) build -c release $(STATIC_FLAGS) --scratch-path $(STATIC_BUILD)

## narrative-watch(1), from the command line's own help (swift-argument-parser's generate-manual plugin).
manual: deps
	$(SWIFT) package plugin generate-manual

## Install the binary, unit, message catalog, man page, README and example configuration.
## The configuration in $(SYSCONFDIR) is only created when missing, never overwritten.
install: manual release-static
	install -D -m 0755 $(STATIC_BUILD)/release/narrative-watch $(DESTDIR)$(PREFIX)/bin/narrative-watch
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/narrative-watch|$(PREFIX)/bin/narrative-watch|' systemd/narrative-watch.service > $(DESTDIR)$(UNITDIR)/narrative-watch.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/narrative-watch.service
	install -D -m 0644 systemd/narrative-watch.catalog $(DESTDIR)$(CATALOGDIR)/narrative-watch.catalog
	install -D -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/narrative-watch.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(STATIC_BUILD)/release/narrative-watch --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/narrative-watch
	$(STATIC_BUILD)/release/narrative-watch --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_narrative-watch
	$(STATIC_BUILD)/release/narrative-watch --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/narrative-watch.fish
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -D -m 0644 Config/narrative-watch.toml $(DESTDIR)$(DOCDIR)/examples/narrative-watch.toml
	test -e $(DESTDIR)$(SYSCONFDIR)/narrative-watch/narrative-watch.toml || \
		install -D -m 0644 Config/narrative-watch.toml $(DESTDIR)$(SYSCONFDIR)/narrative-watch/narrative-watch.toml
	@if [ -z "$(DESTDIR)" ]; then \
		journalctl --update-catalog; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
		echo "installed; start it with: systemctl enable --now narrative-watch"; \
	fi

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/narrative-watch $(DESTDIR)$(UNITDIR)/narrative-watch.service \
		$(DESTDIR)$(CATALOGDIR)/narrative-watch.catalog $(DESTDIR)$(MANDIR)/man1/narrative-watch.1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/narrative-watch \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_narrative-watch \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/narrative-watch.fish
	rm -rf $(DESTDIR)$(DOCDIR)

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
	@scripts/install-packages nginx-light
	Benchmarks/bench $(BENCH_CORPUS)

## Parser throughput over the generated 2,000-feed corpus (needs ../shared/tools/gen-feed-corpus or CORPUS_TOOL).
bench-parse: release
	Benchmarks/parse-throughput.sh .build/release/narrative-watch $(or $(CORPUS_TOOL),../shared/tools/gen-feed-corpus)

## The parser's mutation test, long: FUZZ_ITERATIONS mutated feeds (default 1,000,000), FUZZ_SEED to vary.
fuzz-parse:
	NW_FUZZ_ITERATIONS=$(or $(FUZZ_ITERATIONS),1000000) NW_FUZZ_SEED=$(or $(FUZZ_SEED),20261128) \
		$(SWIFT) test --filter FeedParserFuzzTests

## Coverage-guided fuzzing (libFuzzer + address sanitizer) of FUZZ_TARGET = feed | opml | config | date
## for FUZZ_SECONDS (default 600); findings land in .build/fuzz. See scripts/fuzz.
fuzz: deps
	scripts/fuzz $(or $(FUZZ_TARGET),feed) $(or $(FUZZ_SECONDS),600)

## The Standard Webhooks reference library from PyPI: the tests' independent signature verifier.
webhook-verifier:
	@python3 -c 'import standardwebhooks' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check standardwebhooks

## The daemon under a real systemd 252 in systemd-nspawn (root): readiness and status, the spike's
## journal entry and catalog text, the webhook secret as a credential, reload and refused reload,
## a watchdog restart. 20-40 s with the tree cached and the binary built; the tree is debootstrapped
## once (~1 min, a Debian mirror) into /var/tmp/narrative-watch-systemd-test. Not part of `make test`;
## .ci/run runs it after `make test`.
systemd-test: deps
	@scripts/install-packages debootstrap systemd-container python3
	scripts/systemd-test

## Start a journald when none is running (containers, CI).
journald:
	@scripts/ensure-journald

clean:
	rm -rf .build var
