#!/usr/bin/env bash
# Part of `make lint`: the desktop links the relay's client only, never its server (issue 18).
# For the engine (hookbell-server: hookbelld, and the engine inside the tray app) and the tray
# app (hookbell), on every target platform, in their normal (non-dev) dependency trees:
#   - hookbell-relay's `server` feature is off;
#   - hookbell-relay itself depends on none of the server's crates (axum, axum-server, sled,
#     async-nats, governor, tower, tower-http, clap, toml): a server dependency made
#     non-optional by mistake is caught here;
#   - axum-server and async-nats are nowhere (nothing but the relay's server brings them).
# sled, governor and tower-http stay in the desktop on their own account (hookbell-store's
# store, the engine's rate limit on /hooks, reqwest's redirects), so for them only the path
# through hookbell-relay is refused.
# Reads Cargo.lock (--locked) and the crates cargo already has; needs no network once they are
# fetched (`make lint` runs clippy first, which fetches them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo=${CARGO:-cargo}

fail=0
report() {
  echo "check-desktop-deps: $1" >&2
  fail=1
}

server_only="axum axum-server sled async-nats governor tower tower-http clap toml"

for pkg in hookbell-server hookbell; do
  tree() { "$cargo" tree --locked -p "$pkg" -e normal --target all "$@"; }
  packages=$(tree --prefix none --format '{p}')
  features=$(tree -e features --prefix none --format '{p}')
  # hookbell-relay's direct dependencies as this package builds it: the lines one level below
  # its first (full) appearance in the tree.
  relay_deps=$(tree --prefix depth --format '{p}' | awk '
    { match($0, /^[0-9]+/); d = substr($0, 1, RLENGTH) + 0; split(substr($0, RLENGTH + 1), a, " "); n = a[1] }
    inside && d <= rd { exit }
    inside && d == rd + 1 { print n }
    !inside && n == "hookbell-relay" { inside = 1; rd = d }')

  if grep -q '^hookbell-relay feature "server"' <<<"$features"; then
    report "$pkg enables hookbell-relay's \`server\` feature (see: cargo tree -p $pkg -e normal,features --target all -i hookbell-relay)"
  fi
  for dep in $server_only; do
    if grep -qx "$dep" <<<"$relay_deps"; then
      report "$pkg gets $dep through hookbell-relay, a dependency of its server only (see: cargo tree -p $pkg -e normal --target all -i $dep)"
    fi
  done
  for dep in axum-server async-nats; do
    if grep -q "^$dep " <<<"$packages"; then
      report "$pkg depends on $dep, which only the relay's server needs (see: cargo tree -p $pkg -e normal --target all -i $dep)"
    fi
  done
done

if [ "$fail" = 1 ]; then
  cat >&2 <<'EOF'
check-desktop-deps: the desktop (hookbelld, the tray app) must link the relay's client only.
  Depend on it as hookbell-relay = { workspace = true, default-features = false, features = ["client"] }
  (a dev-dependency may add "server"), and keep the relay's server-only crates optional, listed
  under its `server` feature in crates/hookbell-relay/Cargo.toml. See docs/relay.md, "Features".
EOF
  exit 1
fi
echo "check-desktop-deps: hookbell-server and hookbell link the relay's client only"
