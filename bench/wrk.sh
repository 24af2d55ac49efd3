#!/usr/bin/env bash
# End-to-end load test: builds cmd/benchserver, starts it for each framework
# in turn on a loopback port, runs wrk against the four endpoints and prints
# requests/sec per endpoint per framework.
#
# Settings (environment):
#   FRAMEWORKS   frameworks to test        (default: "nexios gin echo chi stdlib")
#   ENDPOINTS    endpoints to test         (default: "plaintext json users echo")
#   THREADS      wrk -t                    (default: 2)
#   CONNECTIONS  wrk -c                    (default: 64)
#   DURATION     wrk -d per endpoint       (default: 10s)
#   WARMUP       wrk -d warm-up per server (default: 2s; 0 to skip)
#   PORT         loopback port             (default: 18080)
#   OUT          also write the table here (default: none)
#
# Server and wrk share the machine: on a small box, read the numbers as
# relative, not absolute. Frameworks without an app (nexios before its core
# package builds) are reported and skipped.
set -euo pipefail

cd "$(dirname "$0")"

FRAMEWORKS=${FRAMEWORKS:-"nexios gin echo chi stdlib"}
ENDPOINTS=${ENDPOINTS:-"plaintext json users echo"}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
PORT=${PORT:-18080}
OUT=${OUT:-}
HOST=127.0.0.1 # loopback only

if ! command -v wrk >/dev/null 2>&1; then
	echo "wrk not found; installing the Debian package" >&2
	SUDO=""
	if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
	$SUDO apt-get install -y wrk >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y wrk >&2; }
fi

workdir=$(mktemp -d)
server_pid=""

stop_server() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=""
}

cleanup() {
	stop_server
	rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "building cmd/benchserver" >&2
go build -o "$workdir/benchserver" ./cmd/benchserver

wait_for_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
			return 0
		fi
		if ! kill -0 "$server_pid" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
	return 1
}

# run_wrk ENDPOINT DURATION prints the wrk report.
run_wrk() {
	local endpoint=$1 duration=$2
	local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$duration")
	case $endpoint in
	plaintext) wrk "${args[@]}" "http://$HOST:$PORT/plaintext" ;;
	json) wrk "${args[@]}" "http://$HOST:$PORT/json" ;;
	users) wrk "${args[@]}" "http://$HOST:$PORT/users/12345" ;;
	echo) wrk "${args[@]}" -s echo.lua "http://$HOST:$PORT/echo" ;;
	*)
		echo "unknown endpoint $endpoint" >&2
		return 1
		;;
	esac
}

declare -A rps
for fw in $FRAMEWORKS; do
	echo "== $fw" >&2
	"$workdir/benchserver" -framework "$fw" -addr "$HOST:$PORT" >"$workdir/$fw.log" 2>&1 &
	server_pid=$!
	if ! wait_for_port; then
		echo "   $fw did not start: $(tail -n 1 "$workdir/$fw.log")" >&2
		stop_server
		for ep in $ENDPOINTS; do rps[$fw,$ep]="n/a"; done
		continue
	fi
	if [ "$WARMUP" != "0" ]; then
		run_wrk plaintext "$WARMUP" >/dev/null
	fi
	for ep in $ENDPOINTS; do
		report=$(run_wrk "$ep" "$DURATION")
		r=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
		if grep -q 'Non-2xx or 3xx responses' <<<"$report"; then
			echo "   $fw $ep: $(grep 'Non-2xx or 3xx responses' <<<"$report")" >&2
			r="${r}!"
		fi
		rps[$fw,$ep]=${r:-n/a}
		echo "   $ep: ${rps[$fw,$ep]} req/s" >&2
	done
	stop_server
done

{
	echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, requests/sec (higher is better; ! = some non-2xx answers)"
	printf '%-10s' framework
	for ep in $ENDPOINTS; do printf ' %14s' "$ep"; done
	echo
	for fw in $FRAMEWORKS; do
		printf '%-10s' "$fw"
		for ep in $ENDPOINTS; do printf ' %14s' "${rps[$fw,$ep]}"; done
		echo
	done
} | if [ -n "$OUT" ]; then tee "$OUT"; else cat; fi
