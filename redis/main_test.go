package redis_test

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine outlives the tests: brokers, clients, hubs and servers are
// all closed by then.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
