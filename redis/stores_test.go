package redis_test

import "testing"

// Every store's conformance kit, the broker's and the history on the
// shared standalone Redis; topology_test.go runs the same on a cluster
// and behind Sentinel.
func TestStandalone(t *testing.T) {
	t.Parallel()
	conformance(t, testURL(t))
}
