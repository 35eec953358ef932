#!/usr/bin/env bash
# CI: cache the real Claude Code binary (npm package @anthropic-ai/claude-code-linux-x64, ~370 MB
# unpacked; ~35 s to download and install here) outside the repo, for `npm run test:claude-code`
# (test/runtime/claude-code-binary*.test.ts), which .ci/run runs after `npm test`; with it a
# missing binary fails the run, off linux-x64 the tests skip saying why. They also need openssl
# for their throwaway CA.
set -euo pipefail
version="2.1.328"
cache="${CLAUDE_CODE_CACHE:-$HOME/.cache/oauth-recovery/claude-code}"
binary="$cache/node_modules/@anthropic-ai/claude-code-linux-x64/claude"
if ! command -v openssl >/dev/null; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssl
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "claude-code: no linux-x64 host; the real-binary race test will skip"
  exit 0
fi
if [ -x "$binary" ] && "$binary" --version 2>/dev/null | grep -q "^$version "; then
  echo "claude-code: $version cached at $binary"
  exit 0
fi
mkdir -p "$cache"
start=$(date +%s)
npm install --no-audit --no-fund --no-save --prefix "$cache" "@anthropic-ai/claude-code-linux-x64@$version"
echo "claude-code: installed $("$binary" --version) in $(( $(date +%s) - start )) s"
