//go:build race

package main

// raceEnabled reports a -race build: the end-to-end test, which only runs
// other processes, is left to the run without it.
const raceEnabled = true
