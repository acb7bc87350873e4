# Hookbell: the two commands a newcomer needs are `make run` and `make test`.
# Each first installs what is missing (scripts/install-deps.sh).

# Build output lives outside the clone so repeated CI runs and fresh clones stay warm.
CARGO_TARGET_DIR ?= $(HOME)/.cache/hookbell/target
export CARGO_TARGET_DIR
CARGO ?= cargo
BIN := $(CARGO_TARGET_DIR)/release

.PHONY: run test deps lint unit fuzz-short fuzz build bench bench-parse fmt clean help

help:
	@echo "make run    build and start Hookbell (hookbelld until the desktop app lands)"
	@echo "make test   install what is missing, then lint and run every test"
	@echo "make build  release binaries of every program"
	@echo "make bench  the ingest and query benchmarks (docs/BENCHMARKS.md)"
	@echo "make bench-parse  criterion: parse + normalize per provider"
	@echo "make fuzz   every fuzz target for FUZZ_SECONDS (default 300) each"

deps:
	@scripts/install-deps.sh

run: deps
	$(CARGO) build --release -p hookbell-server --bin hookbelld
	$(BIN)/hookbelld serve $(ARGS)

test: deps lint fuzz-short unit

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

unit:
	@if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) test --workspace --doc --locked && \
	  $(CARGO) nextest run --workspace --locked --no-fail-fast; \
	else \
	  $(CARGO) test --workspace --locked --no-fail-fast; \
	fi

# A few seconds per fuzz target, seeded with the providers' fixtures.
fuzz-short:
	scripts/fuzz.sh 3

# The long run: FUZZ_SECONDS per target (default 300).
fuzz: deps
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),300)

build: deps
	$(CARGO) build --release --workspace --bins --locked

bench: deps
	$(CARGO) build --release --locked -p hookbell-server -p hookbell-bench --bins
	$(BIN)/hookbell-bench --bin-dir $(BIN) $(ARGS)

bench-parse:
	$(CARGO) bench --locked -p hookbell-core --bench parse

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
