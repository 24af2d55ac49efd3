//go:build race

package nexios_test

const raceEnabled = true
