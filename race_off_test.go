//go:build !race

package nexios_test

const raceEnabled = false
