#!/usr/bin/env bash
# The whole test suite, as README.md gives it: builds, type-checks, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi
npx tsc -p tsconfig.build.json
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
