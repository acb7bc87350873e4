#!/usr/bin/env bash
# Installs what building and testing Hookbell needs and is missing, on Debian or Ubuntu.
# Safe to run again: it only installs what is absent. Uses sudo when not root.
#
#   scripts/install-deps.sh          what `make run` needs (Rust, a C compiler, Node.js)
#   scripts/install-deps.sh test     also what `make test` needs (cargo-fuzz, Chromium)
set -euo pipefail

want_test=false
[ "${1:-}" = test ] && want_test=true

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
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
if $want_test; then
  # The browser the end-to-end tests drive (Debian's build; Playwright's own download is not used).
  [ -x /usr/bin/chromium ] || packages+=(chromium fonts-liberation)
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

# The web UI is built with Vite 8, which needs Node.js 20.19 or newer (scripts/build-ui.sh
# checks; Debian 12's own nodejs is 18).
# cargo-fuzz drives the fuzz targets in fuzz/ (a short run is part of `make test`).
if $want_test && ! cargo fuzz --version >/dev/null 2>&1; then
  echo "install-deps: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

echo "install-deps: everything needed is here"
