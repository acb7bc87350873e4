#!/usr/bin/env bash
# `make bench-relay-backends`: the relay's benchmark (crates/hookbell-bench/src/bin/relay.rs) on
# each queue backend, back to back, on this machine, one table (docs/BENCHMARKS.md, "Relay"):
#   (a) sled:       one relay, its queue in sled (what `make bench-relay` measures)
#   (b) NATS x1:    one relay on a one-node nats-server (JetStream, sync_interval: always, as
#                   deploy/cluster/nats.conf), replicas 1
#   (c) cluster:    scripts/relay-cluster.sh as is (three nats-server nodes, replicas 3, two
#                   relay nodes, HAProxy), with open pairing; the senders post to both relay
#                   nodes in turn, the desktop pairs and streams through HAProxy
# Arguments go to every run (default in the Makefile: --backlog 20000 --idle 2000 --channels 64).
# Prints the table, with the load average and the builds running at the start of each run.
#
#   HOOKBELL_BIN_DIR       where the release hookbell-relay and hookbell-relay-bench are
#   HOOKBELL_BENCH_SETUPS  which setups to run (default "sled nats1 cluster"); a NATS setup
#                          may name its envelope partitions: "nats1:1 nats1:8 cluster:16"
#                          (each on a fresh NATS store; without one, the relay's default)
# Ports: NATS x1 14232 (monitoring 18232); the cluster's balancer 18787, relays 18788-18789,
# NATS 14222-14224 / 16222-16224 / 18222-18224 (relay-cluster.sh's), so no `make relay-cluster`
# may be running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cache/hookbell/nats/bin:$PATH"
bin=${HOOKBELL_BIN_DIR:-${CARGO_TARGET_DIR:-$HOME/.cache/hookbell/target}/release}
bench=$bin/hookbell-relay-bench
setups=${HOOKBELL_BENCH_SETUPS:-sled nats1 cluster}
[ -x "$bench" ] && [ -x "$bin/hookbell-relay" ] ||
  { echo "bench-relay-backends: build hookbell-relay and hookbell-relay-bench (release) first" >&2; exit 1; }
# Many idle desktops: two descriptors each at HAProxy, one at the relay and the bench.
ulimit -n 20000

work=$(mktemp -d "${TMPDIR:-/tmp}/hookbell-relay-bench.XXXXXX")
summary=$work/summary.md
notes=$work/notes.md
: >"$summary"
: >"$notes"
pids=()
cleanup() {
  # Our own children only, by pid.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# wait_for WHAT SECS COMMAND…: polls COMMAND until it succeeds, or fails after SECS.
. "$(dirname "$0")/wait-for.sh"
wait_for_logs="$work"

state() {
  local builds
  builds=$(pgrep -c -x rustc || true)
  echo "- $1: started $(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg), $builds rustc processes running (other builds)" >>"$notes"
}

for port in 14232 18232 14222 18222 18787 18788; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "bench-relay-backends: port $port is taken (a relay cluster running?)" >&2
    exit 1
  fi
done

run=0
for entry in $setups; do
  run=$((run + 1))
  setup=${entry%%:*}
  parts=""
  [ "$entry" != "$setup" ] && parts=${entry#*:}
  # The relays (the bench's own, and relay-cluster.sh's) read this; unset: their default.
  if [ -n "$parts" ]; then
    export HOOKBELL_RELAY_NATS_PARTITIONS=$parts
    with=", $parts partition$([ "$parts" = 1 ] || echo s)"
  else
    unset HOOKBELL_RELAY_NATS_PARTITIONS
    with=""
  fi
  case $setup in
  sled)
    state "sled, 1 relay"
    "$bench" --bin-dir "$bin" --label "sled, 1 relay" --summary "$summary" "$@"
    ;;
  nats1)
    store=$work/nats1-$run
    mkdir -p "$store"
    cat >"$store.conf" <<CONF
server_name: bench1
host: 127.0.0.1
port: 14232
http_port: 18232
jetstream {
  store_dir: "$store"
  sync_interval: always
}
CONF
    nats-server -c "$store.conf" >"$store.log" 2>&1 &
    nats_pid=$!
    pids+=("$nats_pid")
    wait_for "nats-server" 30 curl -fsS "http://127.0.0.1:18232/healthz?js-enabled-only=true"
    state "NATS, 1 node$with, 1 relay"
    "$bench" --bin-dir "$bin" --label "NATS 1 node (R1)$with, 1 relay" --summary "$summary" \
      --nats nats://127.0.0.1:14232 --nats-pid "$nats_pid" --nats-monitor http://127.0.0.1:18232 "$@"
    cleanup
    rm -rf "$store"
    ;;
  cluster)
    dir=$work/cluster-$run
    for i in 1 2; do "$bench" --bin-dir "$bin" --write-relay-config "$dir/relay$i"; done
    HOOKBELL_RELAY_BIN="$bin/hookbell-relay" HOOKBELL_CLUSTER_DIR="$dir" \
    HOOKBELL_CLUSTER_PORT=18787 HOOKBELL_RELAY_OPEN_PAIRING=true RUST_LOG=warn \
      "$root/scripts/relay-cluster.sh" >"$work/cluster.out" 2>&1 &
    cluster=$!
    pids+=("$cluster")
    wait_for "the relay cluster" 180 grep -q "Pair with:" "$work/cluster.out"
    relay_pids=$(ps -o pid=,comm= --ppid "$cluster" | awk '$2 == "hookbell-relay" {print $1}' | paste -sd,)
    nats_pids=$(ps -o pid=,comm= --ppid "$cluster" | awk '$2 == "nats-server" {print $1}' | paste -sd,)
    state "NATS 3 nodes$with, 2 relays, HAProxy"
    "$bench" --bin-dir "$bin" --label "NATS 3 nodes (R3)$with, 2 relays, HAProxy" --summary "$summary" \
      --relay-url http://127.0.0.1:18787 \
      --send-url http://127.0.0.1:18788,http://127.0.0.1:18789 \
      --relay-pid "$relay_pids" --nats-pid "$nats_pids" \
      --nats-monitor http://127.0.0.1:18222,http://127.0.0.1:18223,http://127.0.0.1:18224 "$@"
    cleanup
    rm -rf "$dir"
    ;;
  *)
    echo "bench-relay-backends: unknown setup $setup (sled, nats1, cluster)" >&2
    exit 1
    ;;
  esac
done

echo
echo "## Side by side: $*"
echo
cat "$summary"
echo
cat "$notes"
