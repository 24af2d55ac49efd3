package storetest_test

import (
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/storetest"
)

// A store's tests call the suites with a constructor; here the memory
// implementations, which pass them (see the auth package's tests).
func Example() {
	_ = func(t *testing.T) {
		storetest.RevocationList(t, func(*testing.T) auth.RevocationList { return &auth.MemoryRevocationList{} })
		storetest.Throttle(t, func(*testing.T) auth.ThrottleStore {
			return auth.NewMemoryThrottleStore(auth.MemoryThrottleConfig{})
		})
	}
}
