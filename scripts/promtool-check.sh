#!/usr/bin/env bash
# promtool-check.sh checks that the metrics the prometheus module exports
# pass `promtool check metrics` (the exposition format and Prometheus'
# naming conventions). promtool comes from Debian's prometheus package,
# installed when missing. The scrape is made by the module's own test,
# TestEverySourceAndPromtool, which fills every metric family from real
# components (HTTP, WebSocket, background tasks, database pools on SQLite
# and PostgreSQL, jobs on River) and pipes the scrape to promtool; with
# NEXIOS_PROMTOOL set it fails, rather than skips, without promtool.
#
# Called from .ci/run; needs NEXIOS_TEST_POSTGRES_URL for the PostgreSQL
# half (set there).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

if ! command -v promtool >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
promtool --version 2>&1 | head -1

NEXIOS_PROMTOOL=$(command -v promtool) \
  go test -count=1 -run '^TestEverySourceAndPromtool$' -v github.com/nexios-go/nexios/prometheus \
  | grep -E '^(=== RUN|--- |\s+--- |ok|FAIL|PASS)|promtool'
