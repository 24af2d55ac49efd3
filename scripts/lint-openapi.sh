#!/usr/bin/env bash
# lint-openapi.sh lints the OpenAPI document of every example with an
# independent linter, Redocly CLI (recommended ruleset): 0 errors or it
# fails. Warnings are printed, not fatal.
#
# The documents come from the examples' own tests: openapitest.Check
# writes each document it checks to $NEXIOS_OPENAPI_EXPORT_DIR.
# Redocly CLI is installed, pinned, into a local cache
# ($NEXIOS_LINT_CACHE, default .cache/lint-openapi, gitignored), so a
# fresh machine needs only Go, Node.js and the npm registry.
set -euo pipefail

REDOCLY_VERSION=2.77.0

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${NEXIOS_LINT_CACHE:-$root/.cache/lint-openapi}
redocly=$cache/node_modules/.bin/redocly

if [[ ! -x $redocly ]] || [[ $("$redocly" --version 2>/dev/null) != "$REDOCLY_VERSION" ]]; then
	mkdir -p "$cache"
	npm install --prefix "$cache" --no-audit --no-fund --loglevel=error "@redocly/cli@$REDOCLY_VERSION" >/dev/null
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

(cd "$root/examples" && NEXIOS_OPENAPI_EXPORT_DIR=$out go test -count=1 -run '^TestOpenAPI$' ./... >/dev/null)

shopt -s nullglob
docs=("$out"/*.json)
if ((${#docs[@]} == 0)); then
	echo "lint-openapi: no document was exported" >&2
	exit 1
fi

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
if ! "$redocly" lint --extends recommended --format stylish "${docs[@]}"; then
	echo "lint-openapi: Redocly CLI $REDOCLY_VERSION reports errors" >&2
	exit 1
fi
echo "lint-openapi: ${#docs[@]} documents, 0 errors (Redocly CLI $REDOCLY_VERSION, recommended)"
