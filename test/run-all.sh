#!/usr/bin/env bash
# The whole test suite, as README.md gives it: builds, type-checks, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
# The cluster tests run executors over a real NATS server: Debian's package, installed when missing.
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing nats-server (Debian package) for the cluster tests" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
  else
    echo "nats-server is needed by the cluster tests: install it (sudo apt-get install -y nats-server) and run again" >&2
    exit 1
  fi
fi
export PATH="$PATH:/usr/sbin"
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit
# The Kubernetes stand-in (test/k8s) is TypeScript outside src/: checked with the same strict settings.
npx tsc -p test/k8s/tsconfig.json
npx tsc -p test/integration/operator/tsconfig.json
npx tsc -p test/e2e/tsconfig.json
npx vitest run "$@"
