package stores_test

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine outlives the tests: brokers, sweepers, databases and
// servers are all closed by then.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
