#!/usr/bin/env bash
# Where the CPU of a delivery goes, step by step: the release hookbelld under callgrind (which
# counts instructions, so the figures repeat whatever else the machine is doing), fed unique
# LeakIX events by wrk, then the instructions per delivery of each step.
#
#   scripts/profile-ingest.sh [DELIVERIES]      (make profile-ingest; default 3,000)
#
# Needs valgrind and wrk (scripts/install-deps.sh bench) and release builds of hookbelld and
# hookbell-bench (which writes the load's wrk script).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-3000}
bin="${CARGO_TARGET_DIR:-$HOME/.cache/hookbell/target}/release/hookbelld"
for program in "$bin" "$(dirname "$bin")/hookbell-bench"; do
  [ -x "$program" ] || { echo "profile-ingest: build $(basename "$program") first (make profile-ingest)" >&2; exit 1; }
done
command -v valgrind >/dev/null && command -v wrk >/dev/null ||
  { echo "profile-ingest: needs valgrind and wrk" >&2; exit 1; }
work=$(mktemp -d)
trap 'pkill -INT -f "callgrind-out-file=$work/" 2>/dev/null || true; [ -n "${KEEP:-}" ] && cp "$work/callgrind.out" "$KEEP"; rm -rf "$work"' EXIT
cp crates/hookbell-bench/hookbell.toml "$work/"
# The load hookbell-bench itself posts: unique LeakIX events.
"$(dirname "$bin")/hookbell-bench" --bin-dir "$(dirname "$bin")" --wrk-script "$work/post.lua"
RUST_LOG=warn valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  "$bin" serve --data-dir "$work" >"$work/log" 2>&1 &
for _ in $(seq 1 120); do grep -q "listening on" "$work/log" && break; sleep 0.5; done
grep -q "listening on" "$work/log" || { cat "$work/log" >&2; exit 1; }
base=$(grep -o 'http://[0-9.:]*' "$work/log" | head -1)
# One connection: the profile is of the work, not of contention. wrk is stopped once
# DELIVERIES are stored, and the figures are divided by how many were stored by the time it was
# (a few more than asked, those sent while the count was being read).
wrk -t1 -c1 -d3600s -s "$work/post.lua" "$base/hooks/bench" >/dev/null &
wrk_pid=$!
token=$(cat "$work/api-token")
stored() {
  curl -sf -H "Authorization: Bearer $token" "$base/api/stats" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null || echo 0
}
until [ "$(stored)" -ge "$count" ]; do
  kill -0 "$wrk_pid" 2>/dev/null || { echo "profile-ingest: wrk stopped early" >&2; exit 1; }
  sleep 1
done
kill "$wrk_pid"; wait "$wrk_pid" 2>/dev/null || true
count=$(stored)
kill -INT "$(pgrep -f "callgrind-out-file=$work/")"
for _ in $(seq 1 120); do [ -s "$work/callgrind.out" ] && ! pgrep -f "callgrind-out-file=$work/" >/dev/null && break; sleep 0.5; done
python3 - "$work/callgrind.out" "$count" <<'EOF'
import re, subprocess, sys
out = subprocess.run(["callgrind_annotate", "--inclusive=yes", sys.argv[1]], capture_output=True, text=True).stdout
n = int(sys.argv[2])
def cost(pattern):
    best = 0
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \(", line)
        if m and re.search(pattern, line):
            best = max(best, int(m.group(1).replace(",", "")))
    return best
steps = [
    ("the whole request (hyper, axum, the handler)", r"axum::serve::handle_connection"),
    ("prepare: authentication, parse, adapter, masking", r"hookbell_server::engine::Engine::prepare"),
    ("  normalize (parse, adapter, masking)", r"hookbell_core::normalize::normalize"),
    ("    the adapter (LeakIX)", r"leakix::Leakix as hookbell_core::providers::Provider>::parse"),
    ("    the masking policy's walks over JSON (body and alerts)", r"hookbell_core::mask::Policy::walk"),
    ("    scrubbing the alerts", r"hookbell_core::normalize::scrub_alert"),
    ("commit, on the request's thread: build, encode and pack the alert", r"hookbell_server::engine::Engine::commit"),
    ("the store's writer thread (the group commit's loop)", r"hookbell_commit::run"),
    ("  sled: apply the group's batch", r"sled::tree::Tree::apply_batch"),
    ("  sled: flush", r"sled::tree::Tree::flush"),
    ("  packing (zstd), writer and request threads", r"hookbell_store::codec::Codec::pack"),
]
print(f"{n} deliveries, one at a time. A step's figure includes the steps under it.\n")
print(f"| step | instructions per delivery |\n|---|---|")
for name, pattern in steps:
    print(f"| {name} | {cost(pattern) / n:,.0f} |")
EOF
