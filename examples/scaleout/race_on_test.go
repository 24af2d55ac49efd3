//go:build race

package main

// raceEnabled: the test runs with -race, and so do the processes it
// builds.
const raceEnabled = true
