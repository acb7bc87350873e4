#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS seconds each (default 3), seeding the parser targets
# with the providers' fixture files. `make test` runs it briefly; `make fuzz` for long.
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-3}"
shift || true
# cargo-fuzz passes nightly-only flags; the stable toolchain accepts them with this switch.
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build -s none >/dev/null 2>fuzz/build.log || { cat fuzz/build.log >&2; exit 1; }

mkdir -p fuzz/corpus fuzz/logs
status=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  case "$target" in
    parse_*) cp -n crates/hookbell-core/src/providers/"${target#parse_}"/fixtures/*.json "$corpus"/ 2>/dev/null || true ;;
  esac
  log="fuzz/logs/$target.log"
  if cargo fuzz run -s none "$target" "$corpus" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1; then
    runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | grep -Eo '[0-9]+' || echo "?")
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || echo "?")
    printf 'fuzz %-28s ok   %10s runs in %ss, coverage %s edges\n' "$target" "$runs" "$seconds" "$cov"
  else
    printf 'fuzz %-28s FAILED (see %s; the crashing input is under fuzz/artifacts/%s)\n' "$target" "$log" "$target"
    tail -30 "$log" >&2
    status=1
  fi
done
exit $status
