#!/usr/bin/env bash
# Installs what building and testing Hookbell needs and is missing, on Debian or Ubuntu.
# Safe to run again: it only installs what is absent. Uses sudo when not root.
#
#   scripts/install-deps.sh          what `make run` and `make test` need
#   scripts/install-deps.sh bench    also the benchmark tools
set -euo pipefail

want_bench=false
[ "${1:-}" = bench ] && want_bench=true

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
if [ ${#packages[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: installing ${packages[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}"
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

# cargo-fuzz drives the fuzz targets in fuzz/ (a short run is part of `make test`).
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "install-deps: installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

if $want_bench; then
  : # The load generator is part of the workspace (crates/hookbell-bench): nothing else to install.
fi

echo "install-deps: everything needed is here"
