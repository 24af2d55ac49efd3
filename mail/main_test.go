package mail_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if any goroutine (an SMTP exchange, a server, a
// waiter) outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
