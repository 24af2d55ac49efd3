#!/usr/bin/env bash
# Runs the in-process benchmarks and summarises them with benchstat.
#
#   ./run.sh [COUNT] [BENCHTIME] [PATTERN]
#
#   COUNT      samples per benchmark (default 6; benchstat wants >= 5 for
#              confidence intervals). The test binary is run COUNT times
#              with -test.count 1, so the frameworks' samples interleave
#              (nexios, gin, ..., nexios, gin, ...) and a burst of load on
#              a shared machine hits all of them alike.
#   BENCHTIME  go test -benchtime  (default 200ms)
#   PATTERN    go test -bench      (default ".": routers and apps)
#
# Writes, under results/ (or $RESULTS):
#   bench.txt        raw go test output (names as BenchmarkGitHubAll/gin)
#   benchstat.txt    benchstat of bench.txt: one row per benchmark/framework
#   compare.txt      benchstat with one column per framework, nexios first,
#                    so every other framework is shown relative to nexios
set -euo pipefail

cd "$(dirname "$0")"

COUNT=${1:-6}
BENCHTIME=${2:-200ms}
PATTERN=${3:-.}
RESULTS=${RESULTS:-results}
FRAMEWORK_ORDER="nexios gin echo chi httprouter stdlib"

BENCHSTAT=$(command -v benchstat || true)
if [ -z "$BENCHSTAT" ]; then
	BENCHSTAT="$(go env GOPATH)/bin/benchstat"
	if [ ! -x "$BENCHSTAT" ]; then
		echo "installing benchstat" >&2
		go install golang.org/x/perf/cmd/benchstat@latest
	fi
fi

mkdir -p "$RESULTS"
go test -c -o "$RESULTS/bench.test" .
: >"$RESULTS/bench.txt"
for _ in $(seq "$COUNT"); do
	"$RESULTS/bench.test" -test.run '^$' -test.bench "$PATTERN" -test.benchmem -test.count 1 \
		-test.benchtime "$BENCHTIME" | tee -a "$RESULTS/bench.txt"
done
rm "$RESULTS/bench.test"

"$BENCHSTAT" "$RESULTS/bench.txt" >"$RESULTS/benchstat.txt"

# benchstat can only put key=value sub-benchmark names in columns, so
# BenchmarkGitHubAll/gin-2 becomes BenchmarkGitHubAll/fw=gin-2 for the
# side-by-side table.
sed -E 's#^(Benchmark[A-Za-z0-9_]+)/([A-Za-z0-9_]+)#\1/fw=\2#' "$RESULTS/bench.txt" >"$RESULTS/bench-keyed.txt"
"$BENCHSTAT" -col "/fw@($FRAMEWORK_ORDER)" "$RESULTS/bench-keyed.txt" >"$RESULTS/compare.txt"
rm "$RESULTS/bench-keyed.txt"

cat "$RESULTS/compare.txt"
echo
echo "wrote $RESULTS/bench.txt, $RESULTS/benchstat.txt, $RESULTS/compare.txt" >&2
