#!/usr/bin/env bash
# Counts the instructions each framework executes per request in a router
# benchmark, with valgrind's callgrind: a figure that, unlike ns/op, does
# not move when other processes share the machine.
#
#   ./instructions.sh [BENCHMARK] [FRAMEWORK...]
#
#   BENCHMARK  GitHubStatic, GitHubParam, Param5 or GitHubAll (default: all four)
#   FRAMEWORK  nexios, gin, echo, httprouter (default: nexios gin)
#
# Only instructions inside the framework's ServeHTTP are counted (callgrind
# --toggle-collect), so the benchmark loop, the runtime's background work
# and the test binary's start-up are left out. GitHubAll serves 203
# requests per op; the figure printed is per request. Needs valgrind
# (apt-get install -y valgrind).
set -euo pipefail

cd "$(dirname "$0")"

BENCHMARKS=${1:-"GitHubStatic GitHubParam Param5 GitHubAll"}
shift || true
FRAMEWORKS=${*:-"nexios gin"}

declare -A SERVE=(
	[nexios]='*nexios.(*App).ServeHTTP'
	[gin]='*gin.(*Engine).ServeHTTP'
	[echo]='*echo/v4.(*Echo).ServeHTTP'
	[httprouter]='*httprouter.(*Router).ServeHTTP'
)

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go test -c -o "$bin/bench.test" .

for b in $BENCHMARKS; do
	n=20000 per=1
	if [ "$b" = GitHubAll ]; then
		n=200 per=203
	fi
	for fw in $FRAMEWORKS; do
		ir=$(GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --toggle-collect="${SERVE[$fw]}" \
			--callgrind-out-file=/dev/null "$bin/bench.test" -test.run '^$' -test.bench "^Benchmark$b/$fw\$" \
			-test.benchtime "${n}x" -test.cpu 1 2>&1 | awk '/Collected/ {print $4}')
		# the benchmark runs once with b.N=1, then with b.N=n
		printf '%-14s %-11s %6d instructions/request\n' "$b" "$fw" $((ir / ((n + 1) * per)))
	done
done
