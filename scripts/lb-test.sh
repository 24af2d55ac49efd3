#!/usr/bin/env bash
# The multi-process load-balancer test: three processes of
# examples/scaleout behind HAProxy (round robin), on Redis and on
# PostgreSQL. Installs HAProxy from Debian when it is missing (as root),
# and uses the Redis and PostgreSQL of NEXIOS_TEST_REDIS_URL and
# NEXIOS_TEST_POSTGRES_URL (defaults: the local servers). About ten
# seconds once built.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
if ! command -v haproxy >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
fi
haproxy -v
export NEXIOS_TEST_REDIS_URL="${NEXIOS_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
export NEXIOS_TEST_POSTGRES_URL="${NEXIOS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export NEXIOS_TEST_REQUIRE_HAPROXY=1
go test -count=1 -race -run 'TestLoadBalancer' -v github.com/nexios-go/nexios/examples/scaleout
