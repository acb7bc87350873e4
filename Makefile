# Hookbell: the two commands a newcomer needs are `make run` and `make test`.
# Each first installs what is missing (scripts/install-deps.sh).

# Build output lives outside the clone so repeated CI runs and fresh clones stay warm.
CARGO_TARGET_DIR ?= $(HOME)/.cache/hookbell/target
export CARGO_TARGET_DIR
CARGO ?= cargo
BIN := $(CARGO_TARGET_DIR)/release
# Where the system's Node.js is too old for the web UI (Debian 12's is 18), install-deps puts a
# private Node 22 here; first on PATH, so every target below uses it when it exists.
# nats-server (the relay's JetStream tests and `make relay-cluster`) goes into
# ~/.cache/hookbell/nats/bin (install-deps, test mode), also on PATH.
export PATH := $(HOME)/.cache/hookbell/node/bin:$(HOME)/.cache/hookbell/nats/bin:$(PATH)

.PHONY: run daemon test deps deps-test ui ui-test e2e desktop-test keychain-test windows-check lint unit relay-nats-test relay-cluster-test relay-cluster fuzz-short fuzz build bundle bench bench-store bench-ingest-parts profile-ingest bench-parse bench-desktop bench-relay bench-relay-backends relay fmt clean help

help:
	@echo "make run    build and start the Hookbell desktop app (ARGS=\"--data-dir DIR\" ...)"
	@echo "make test   install what is missing, then lint and run every test"
	@echo "make daemon build and start hookbelld, the engine without a window"
	@echo "make bundle build the .deb (and AppImage) of the desktop app"
	@echo "make build  release binaries of every program"
	@echo "make bench  the ingest and query benchmarks (docs/BENCHMARKS.md)"
	@echo "make bench-store  the store alone: CPU per step, bytes per kind of record"
	@echo "make bench-ingest-parts  a durable delivery's cost part by part: no store, no flush, durable"
	@echo "make profile-ingest  instructions per delivery, step by step (callgrind)"
	@echo "make bench-parse  criterion: parse + normalize per provider"
	@echo "make relay  build and run hookbell-relay (ARGS=\"serve --data-dir DIR --listen ADDR\"; pairing"
	@echo "           needs an invite: ARGS=\"invite --data-dir DIR\", or --open-pairing)"
	@echo "make bench-relay  the relay's benchmark (docs/BENCHMARKS.md)"
	@echo "make bench-relay-backends  the same on sled, a one-node NATS and the cluster, one table"
	@echo "           (ARGS=\"--backlog 20000 --idle 2000\" by default)"
	@echo "make relay-nats-test  the relay's test suite again, on NATS JetStream (a real nats-server)"
	@echo "make relay-cluster-test  the failover test: 3 NATS nodes, 2 relays, HAProxy, 2 desktops; a NATS"
	@echo "           node and a relay node SIGKILLed mid-load (FAILOVER_DELIVERIES=N, default 5000)"
	@echo "make relay-cluster  a relay cluster on loopback until Ctrl-C: 3 NATS nodes, 2 relays, HAProxy;"
	@echo "           prints the URL to pair with and an invite (deploy/cluster/ for real hosts)"
	@echo "make bench-desktop  the desktop app's benchmark (docs/BENCHMARKS.md)"
	@echo "make fuzz   every fuzz target for FUZZ_SECONDS (default 300) each, then the secrets property test longer"

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh test

# The web UI, built into ui/dist (embedded into hookbelld by the release build).
ui:
	@scripts/build-ui.sh

run: deps ui
	$(CARGO) build --release --locked -p hookbell -p hookbell-window --bins
	$(BIN)/hookbell $(ARGS)

daemon: deps ui
	$(CARGO) build --release --locked -p hookbell-server --bin hookbelld
	$(BIN)/hookbelld serve $(ARGS)

test: deps-test lint windows-check ui-test fuzz-short e2e desktop-test unit relay-nats-test relay-cluster-test keychain-test

# Type checks, unit tests and the production build of the UI.
ui-test:
	@scripts/build-ui.sh --strict

# The UI in real Chromium against the real hookbelld (tests/e2e).
e2e:
	@if [ -f tests/e2e/package.json ] && [ -f ui/dist/index.html ]; then \
	  $(CARGO) build --locked -p hookbell-server --bin hookbelld && \
	  cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && \
	  HOOKBELLD=$(CARGO_TARGET_DIR)/debug/hookbelld node --test --test-concurrency=1; \
	fi

# The desktop app in a real window under Xvfb, with a D-Bus session and a fake notification
# service, its window (the hookbell-window process) driven through WebDriver (tests/desktop).
desktop-test:
	$(CARGO) build --locked -p hookbell -p hookbell-window -p fake-notifications --bins
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
	  env HOOKBELL_APP=$(CARGO_TARGET_DIR)/debug/hookbell \
	  FAKE_NOTIFICATIONS=$(CARGO_TARGET_DIR)/debug/fake-notifications \
	  node --test --test-concurrency=1 tests/desktop/*.test.mjs

# The secret store against a real Secret Service: a private D-Bus session with gnome-keyring
# unlocked with a throwaway password, in a throwaway XDG_DATA_HOME (the user's own keyrings are
# never touched). HOOKBELL_REQUIRE_KEYCHAIN turns the tests' skip into a failure.
keychain-test:
	$(CARGO) test --locked -p hookbell-server --lib --no-run
	tmp=$$(mktemp -d) && mkdir -m 700 $$tmp/data $$tmp/run && \
	XDG_DATA_HOME=$$tmp/data XDG_RUNTIME_DIR=$$tmp/run HOOKBELL_REQUIRE_KEYCHAIN=1 \
	  dbus-run-session -- sh -c 'echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
	    $(CARGO) test --locked -p hookbell-server --lib secret_store::tests -- --nocapture --test-threads=1'; \
	rc=$$?; rm -rf $$tmp; exit $$rc

# The desktop app type-checks for Windows (its cfg(windows) code included); with the MinGW-w64
# C cross compiler for build scripts (scripts/install-deps.sh test installs both). A failure
# fails the target; it is never skipped.
windows-check:
	$(CARGO) check -p hookbell -p hookbell-window --target x86_64-pc-windows-gnu --locked

# After fmt and clippy, scripts/check-desktop-deps.sh: the desktop (hookbelld, the tray app)
# links the relay's client only, never its server (it says what to change when it fails).
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	CARGO="$(CARGO)" scripts/check-desktop-deps.sh

unit:
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) test --workspace --doc --locked && \
	  $(CARGO) nextest run --workspace --locked --no-fail-fast; \
	else \
	  $(CARGO) test --workspace --locked --no-fail-fast; \
	fi

# The relay's suite once more with its queue on NATS JetStream: each in-process relay gets its
# own `nats-server -js` on a free loopback port (`unit` ran it on the embedded sled queue). Then
# the NATS backend's own tests (tests/it/partitions.rs: partitions, batched reads, the upgrade
# from the single stream; ignored in the plain runs). A missing nats-server fails these tests;
# install-deps (test) installs it.
relay-nats-test:
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  HOOKBELL_RELAY_BACKEND=nats $(CARGO) nextest run -p hookbell-relay --locked --no-fail-fast && \
	  $(CARGO) nextest run -p hookbell-relay --locked --run-ignored only -E 'test(/^partitions::/)' --no-fail-fast; \
	else \
	  HOOKBELL_RELAY_BACKEND=nats $(CARGO) test -p hookbell-relay --locked --no-fail-fast && \
	  $(CARGO) test -p hookbell-relay --locked --test it -- --ignored partitions::; \
	fi

# The cluster failover test (crates/hookbell-relay/tests/it/failover.rs): three nats-server
# nodes, two relay binaries, HAProxy (deploy/cluster/), two desktop engines; the NATS leader of
# the desktop's envelope stream and then its relay node are SIGKILLed while providers post.
# FAILOVER_DELIVERIES deliveries (default 5000: about 40 s on 2 cores; 10,000 by hand, see
# docs/relay.md). Also tests/it/cluster.rs: two relay nodes on one NATS (a key challenge and a
# stream takeover across nodes). Needs nats-server and haproxy (install-deps test installs both).
relay-cluster-test:
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  HOOKBELL_FAILOVER_DELIVERIES=$(or $(FAILOVER_DELIVERIES),5000) $(CARGO) nextest run -p hookbell-relay --locked \
	    --run-ignored only -E 'test(/^(failover|cluster)::/)' --no-fail-fast; \
	else \
	  HOOKBELL_FAILOVER_DELIVERIES=$(or $(FAILOVER_DELIVERIES),5000) $(CARGO) test -p hookbell-relay --locked \
	    --test it -- --ignored failover:: cluster::; \
	fi

# A few seconds per fuzz target, seeded with the providers' fixtures.
fuzz-short:
	scripts/fuzz.sh 3

# The long run: FUZZ_SECONDS per target (default 300).
fuzz: deps
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),300)
	PROPTEST_CASES=$(or $(PROPTEST_CASES),2000) $(CARGO) test --locked -p hookbell-server --test secrets

build: deps ui
	$(CARGO) build --release --workspace --bins --locked

# The desktop app's packages, with the Tauri CLI from npm (pinned in src-tauri/package.json).
# src-tauri/tauri.conf.json is the packaging config: `hookbell` (the tray app, no Tauri in it)
# is the main binary, `hookbell-window` (the window, src-tauri/window) goes beside it as an
# `externalBin`, which the bundler takes from src-tauri/binaries/NAME-TARGET_TRIPLE.
bundle: deps ui
	cd src-tauri && npm ci --no-audit --no-fund --loglevel=error
	$(CARGO) build --release --locked -p hookbell -p hookbell-window --bins
	mkdir -p src-tauri/binaries
	# The release profile keeps line tables for benchmarks and backtraces; packages do without.
	strip --strip-debug $(BIN)/hookbell
	strip --strip-debug -o src-tauri/binaries/hookbell-window-$$(rustc -vV | sed -n 's/^host: //p') $(BIN)/hookbell-window
	cd src-tauri && { npx tauri bundle --bundles deb,appimage || \
	  { echo "bundle: the AppImage needs tools that may be missing here (or a download failed); building the .deb alone"; npx tauri bundle --bundles deb; }; }
	@ls -1 $(CARGO_TARGET_DIR)/release/bundle/*/* 2>/dev/null || true

bench: deps
	@command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh bench
	$(CARGO) build --release --locked -p hookbell-server -p hookbell-bench --bins
	$(BIN)/hookbell-bench --bin-dir $(BIN) $(ARGS)

# The no-op, hookbelld answering before it stores, before it flushes, and as shipped, side by
# side under one load (scripts/bench-ingest-parts.sh; docs/BENCHMARKS.md).
bench-ingest-parts: deps
	@command -v wrk >/dev/null 2>&1 || scripts/install-deps.sh bench
	$(CARGO) build --release --locked -p hookbell-server -p hookbell-bench --bins
	scripts/bench-ingest-parts.sh $(ARGS)

# Instructions per delivery, step by step, under callgrind (docs/BENCHMARKS.md, "Store").
profile-ingest:
	@{ command -v wrk && command -v valgrind; } >/dev/null 2>&1 || scripts/install-deps.sh bench
	$(CARGO) build --release --locked -p hookbell-server -p hookbell-bench --bins
	scripts/profile-ingest.sh $(ARGS)

# The store alone, step by step and record by record (docs/BENCHMARKS.md, "Store").
bench-store:
	$(CARGO) bench --locked -p hookbell-store --bench store -- $(ARGS)

# The relay: `make relay ARGS="serve --data-dir DIR --listen 0.0.0.0:8787"`.
relay:
	$(CARGO) build --release --locked -p hookbell-relay --bin hookbell-relay
	$(BIN)/hookbell-relay $(or $(ARGS),serve --data-dir $(HOME)/.local/share/hookbell-relay --listen 127.0.0.1:8787)

# A relay cluster on loopback until Ctrl-C (scripts/relay-cluster.sh): three nats-server nodes
# (JetStream, replicas 3, fsync on every write), two relay nodes, HAProxy in front; the same
# configs as deploy/cluster/. HOOKBELL_CLUSTER_PORT (8787) and HOOKBELL_CLUSTER_DIR change
# where it listens and keeps its data.
relay-cluster:
	@scripts/install-deps.sh cluster
	$(CARGO) build --release --locked -p hookbell-relay --bin hookbell-relay
	HOOKBELL_RELAY_BIN=$(BIN)/hookbell-relay scripts/relay-cluster.sh

# The relay's benchmark (docs/BENCHMARKS.md, "Relay"); 5,000 idle desktops need many files.
bench-relay:
	$(CARGO) build --release --locked -p hookbell-relay --bin hookbell-relay -p hookbell-bench --bin hookbell-relay-bench
	ulimit -n 20000 && $(BIN)/hookbell-relay-bench --bin-dir $(BIN) $(ARGS)

# The same benchmark on sled, one relay on a one-node NATS, and two relays on the three-node
# cluster of `make relay-cluster` behind HAProxy, back to back, one table
# (scripts/bench-relay-backends.sh; docs/BENCHMARKS.md, "Relay").
bench-relay-backends:
	$(CARGO) build --release --locked -p hookbell-relay --bin hookbell-relay -p hookbell-bench --bin hookbell-relay-bench
	HOOKBELL_BIN_DIR=$(BIN) scripts/bench-relay-backends.sh $(or $(ARGS),--backlog 20000 --idle 2000 --channels 64)

# The desktop app's benchmark (docs/BENCHMARKS.md, "Desktop"): start with 100,000 alerts,
# delivery to notification, idle memory and CPU; in Xvfb with the fake notification service.
bench-desktop: deps-test ui
	$(CARGO) build --release --locked -p hookbell -p hookbell-window -p hookbell-server --bins
	$(CARGO) build --locked -p fake-notifications
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
	  env HOOKBELL_APP=$(BIN)/hookbell HOOKBELLD=$(BIN)/hookbelld \
	  node tests/desktop/bench-desktop.mjs $(ARGS)

bench-parse:
	$(CARGO) bench --locked -p hookbell-core --bench parse

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
