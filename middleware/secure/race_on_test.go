//go:build race

package secure_test

// sync.Pool drops items at random under the race detector, so allocation
// counts are only checked without it.
const raceEnabled = true
