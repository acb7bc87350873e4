# shellcheck shell=bash
# Sourced by scripts/install-deps.sh and scripts/build-ui.sh: the oldest Node.js the web UI
# builds with (Vite 8 needs 20.19), and the check of a node binary against it.
NODE_MIN=20.19

# node_ok [NODE]: whether NODE (default: the node on PATH) runs and is NODE_MIN or newer.
node_ok() {
  "${1:-node}" -e '
    const [a, b] = process.versions.node.split(".").map(Number);
    const [wa, wb] = process.argv[1].split(".").map(Number);
    process.exit(a > wa || (a === wa && b >= wb) ? 0 : 1);
  ' "$NODE_MIN" 2>/dev/null
}
