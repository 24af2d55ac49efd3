// Package redisbench compares nexios' Redis stores with other Redis
// libraries on the same server (go test -bench . with
// NEXIOS_TEST_REDIS_URL set); results are in bench/RESULTS.md.
package redisbench
