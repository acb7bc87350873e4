#!/usr/bin/env bash
# `make relay-cluster`: a hookbell-relay cluster on loopback, in the foreground until Ctrl-C.
#   three nats-server nodes (JetStream, clustered, fsync on every write: deploy/cluster/nats.conf),
#   two hookbell-relay nodes on it (--nats all three, --nats-replicas 3),
#   HAProxy in front (deploy/cluster/haproxy.cfg: /healthz checks, WebSocket streams).
# Prints the URL to pair with and an invite code. Ctrl-C (or SIGTERM) stops all six processes.
#
#   HOOKBELL_RELAY_BIN    the relay binary (the Makefile passes its release build)
#   HOOKBELL_CLUSTER_DIR  where the nodes keep their data (default ~/.cache/hookbell/relay-cluster;
#                         kept between runs, so channels survive a restart; delete it to start over)
#   HOOKBELL_CLUSTER_PORT the balancer's port (default 8787); the relays take the next two ports,
#                         NATS 14222-14224 (clients), 16222-16224 (routes), 18222-18224 (monitoring)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$HOME/.cache/hookbell/nats/bin:$PATH"

relay=${HOOKBELL_RELAY_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/hookbell/target}/release/hookbell-relay}
dir=${HOOKBELL_CLUSTER_DIR:-$HOME/.cache/hookbell/relay-cluster}
lb_port=${HOOKBELL_CLUSTER_PORT:-8787}
for tool in nats-server haproxy curl; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "relay-cluster: $tool is missing; run scripts/install-deps.sh cluster" >&2; exit 1; }
done
[ -x "$relay" ] || { echo "relay-cluster: no relay binary at $relay (make relay-cluster builds it)" >&2; exit 1; }
mkdir -p "$dir"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "relay-cluster: stopping"
  # Our own children only, by pid: the relays first (they finish requests in flight), then
  # the balancer, then NATS.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "relay-cluster: stopped (data kept in $dir)"
  exit 0
}
trap stop INT TERM EXIT

# wait_for WHAT SECS COMMAND…: polls COMMAND until it succeeds, or fails after SECS.
. "$(dirname "$0")/wait-for.sh"
wait_for_logs="$dir"

nats_urls=""
for i in 1 2 3; do
  nats_urls+="${nats_urls:+,}nats://127.0.0.1:$((14221 + i))"
  mkdir -p "$dir/nats$i"
  NATS_NAME=n$i NATS_HOST=127.0.0.1 NATS_PORT=$((14221 + i)) NATS_HTTP_PORT=$((18221 + i)) \
  NATS_CLUSTER_PORT=$((16221 + i)) NATS_STORE="$dir/nats$i" \
  NATS_ROUTE_1=nats-route://127.0.0.1:16222 NATS_ROUTE_2=nats-route://127.0.0.1:16223 \
  NATS_ROUTE_3=nats-route://127.0.0.1:16224 \
    nats-server -c "$root/deploy/cluster/nats.conf" >"$dir/nats$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  wait_for "nats-server n$i" 30 curl -fsS "http://127.0.0.1:$((18221 + i))/healthz?js-enabled-only=true"
done

for i in 1 2; do
  port=$((lb_port + i))
  mkdir -p "$dir/relay$i"
  : >"$dir/relay$i.log"
  "$relay" serve --data-dir "$dir/relay$i" --listen "127.0.0.1:$port" \
    --nats "$nats_urls" --nats-replicas 3 --trusted-proxy 127.0.0.1 \
    --node-url "http://127.0.0.1:$port" >>"$dir/relay$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2; do
  # Setting up the stream and buckets waits for the cluster's JetStream leaders.
  wait_for "hookbell-relay $i" 90 curl -fsS "http://127.0.0.1:$((lb_port + i))/healthz"
done

HOOKBELL_LB_BIND=127.0.0.1:$lb_port HOOKBELL_RELAY_1=127.0.0.1:$((lb_port + 1)) \
HOOKBELL_RELAY_2=127.0.0.1:$((lb_port + 2)) \
  haproxy -db -f "$root/deploy/cluster/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
pids+=($!)
wait_for "haproxy" 20 curl -fsS "http://127.0.0.1:$lb_port/healthz"

invite=$("$relay" invite --data-dir "$dir/relay1" --nats "$nats_urls" 2>/dev/null)
cat <<INFO

hookbell-relay cluster on loopback: 3 NATS nodes (JetStream, replicas 3), 2 relay nodes, HAProxy.

  Pair with:     http://127.0.0.1:$lb_port
  Invite code:   $invite   (single use)
  More invites:  $relay invite --data-dir $dir/relay1 --nats $nats_urls
  Relay nodes:   http://127.0.0.1:$((lb_port + 1))  http://127.0.0.1:$((lb_port + 2))   (/metrics on each)
  NATS:          $nats_urls   (monitoring: http://127.0.0.1:18222/jsz)
  Logs, data:    $dir

In the desktop: Relay settings, URL http://127.0.0.1:$lb_port and the invite code.
Ctrl-C stops everything.
INFO
wait -n "${pids[@]}" || true
echo "relay-cluster: a process exited; logs in $dir" >&2
exit 1
