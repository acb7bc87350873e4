#!/usr/bin/env bash
# Where a durable delivery's cost goes, part by part, against the real release hookbelld:
#
#   no-op        hookbell-bench's no-op axum handler (reads the body, answers the same shape)
#   no store     hookbelld that verifies, parses and masks, then answers without storing
#   no flush     hookbelld that stores each group but answers before sled's flush
#   durable      hookbelld as shipped (answers once the group is flushed)
#
# The two middle builds are main with crates/hookbell-bench/experiments/store-left-out.patch
# applied (two environment switches, never merged), built in a worktree of their own. Each
# round runs the four in turn under the same wrk load, so a drift of the machine's speed
# weighs on all four alike; the server's own CPU time (utime + stime from /proc) per delivery
# does not depend on wrk's share of the cores.
#
#   scripts/bench-ingest-parts.sh [ROUNDS]      (make bench-ingest-parts; default 2 rounds)
#
# Needs wrk (scripts/install-deps.sh bench) and the release hookbelld and hookbell-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
seconds=${SECONDS_PER_RUN:-8}
target="${CARGO_TARGET_DIR:-$HOME/.cache/hookbell/target}"
bin="$target/release"
for program in hookbelld hookbell-bench; do
  [ -x "$bin/$program" ] || { echo "bench-ingest-parts: build $program first (make bench)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "bench-ingest-parts: needs wrk (scripts/install-deps.sh bench)" >&2; exit 1; }

work=$(mktemp -d)
trap 'pkill -f "$work/" 2>/dev/null || true; git worktree remove --force "$work/tree" 2>/dev/null || true; rm -rf "$work"' EXIT

# The experiment's build: its own worktree and target dir, so the shipped binary is untouched.
git worktree add --detach --quiet "$work/tree" HEAD
git -C "$work/tree" apply "$PWD/crates/hookbell-bench/experiments/store-left-out.patch"
CARGO_TARGET_DIR="$target-experiment" cargo build --quiet --release --locked \
  --manifest-path "$work/tree/Cargo.toml" -p hookbell-server --bin hookbelld
experiment="$target-experiment/release/hookbelld"

# The load hookbell-bench itself posts: unique LeakIX events, each run's ids its own.
"$bin/hookbell-bench" --bin-dir "$bin" --wrk-script "$work/post.lua"

# measure NAME: starts the server named, loads it, prints one table row.
measure() {
  local name=$1 data="$work/data-$RANDOM" url pid
  mkdir -p "$data" && cp crates/hookbell-bench/hookbell.toml "$data/"
  case $name in
    no-op) "$bin/hookbell-bench" --bin-dir "$bin" --noop-server >"$data/log" 2>&1 & ;;
    "no store") HOOKBELL_EXPERIMENT_NO_STORE=1 RUST_LOG=warn "$experiment" serve --data-dir "$data" >"$data/log" 2>&1 & ;;
    "no flush") HOOKBELL_EXPERIMENT_NO_FLUSH=1 RUST_LOG=warn "$experiment" serve --data-dir "$data" >"$data/log" 2>&1 & ;;
    durable) RUST_LOG=warn "$bin/hookbelld" serve --data-dir "$data" >"$data/log" 2>&1 & ;;
  esac
  pid=$!
  for _ in $(seq 1 100); do grep -q "listening on" "$data/log" && break; sleep 0.1; done
  url="$(grep -o 'http://[0-9.:]*' "$data/log" | head -1)/hooks/bench"
  wrk -t2 -c32 -d3s -s "$work/post.lua" "$url" -- "warm$RANDOM" >/dev/null
  local cpu_before idle_before cpu_after idle_after
  cpu_before=$(awk '{print $14 + $15}' "/proc/$pid/stat"); idle_before=$(awk '/^cpu /{print $5}' /proc/stat)
  wrk -t2 -c32 -d"${seconds}s" --latency -s "$work/post.lua" "$url" -- "run$RANDOM" >"$work/wrk.out"
  cpu_after=$(awk '{print $14 + $15}' "/proc/$pid/stat"); idle_after=$(awk '/^cpu /{print $5}' /proc/stat)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$data"
  python3 - "$name" "$seconds" "$((cpu_after - cpu_before))" "$((idle_after - idle_before))" "$(getconf CLK_TCK)" "$(nproc)" "$work/wrk.out" <<'EOF'
import re, sys
name, seconds, ticks, idle, hz, cores = sys.argv[1], *map(int, sys.argv[2:7])
text = open(sys.argv[7]).read()
n = int(re.search(r"(\d+) requests in", text).group(1))
p99 = re.search(r"\s99%\s+(\S+)", text).group(1)
errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
print(f"| {name} | {n / seconds:,.0f} | {p99} | {ticks / hz * 1e6 / n:.1f} | {100 * idle / (seconds * hz * cores):.0f} % | {errors} |")
EOF
}

echo "| server | deliveries/s | p99 | server CPU per delivery, µs | machine idle | errors |"
echo "|---|---|---|---|---|---|"
for _ in $(seq 1 "$rounds"); do
  for name in no-op "no store" "no flush" durable; do measure "$name"; done
done
