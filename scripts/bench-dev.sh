#!/bin/sh
# Median edit-to-serving time of `nexios dev` on the starter project:
# from saving a source file to the first response of the rebuilt
# app, through the dev server. Offline (module cache only). Quote the
# ms/edit-median figure; bench/RESULTS.md has the last one.
#
#   scripts/bench-dev.sh [ITERATIONS]   (default 15)
set -eu
cd "$(dirname "$0")/../cmd/nexios"
exec go test -run '^$' -bench 'EditToServing' -benchtime "${1:-15}x" -count 1 .
