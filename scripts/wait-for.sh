# Sourced by the scripts that start servers: `wait_for WHAT SECS COMMAND...` runs COMMAND
# (quietly) every 200 ms until it succeeds; after SECS seconds it says WHAT was not ready,
# where the logs are (`$wait_for_logs`, if set), and exits 1.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$(basename "$0" .sh): $what not ready within ${secs}s${wait_for_logs:+ (logs in $wait_for_logs)}" >&2
      exit 1
    fi
    sleep 0.2
  done
}
