#!/usr/bin/env bash
# Debian's redis-server for the Redis store's tests (they start their own server on a loopback port).
set -euo pipefail
if ! command -v redis-server >/dev/null; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server
fi
