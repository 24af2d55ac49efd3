package stores_test

import (
	"testing"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cache"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/storetest"
)

// Every store passes its conformance suite on every dialect.

func TestSessionStoreConformance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		storetest.SessionStore(t, func(*testing.T) session.Store { return stores.NewSessionStore(d) })
	})
}

func TestRevocationListConformance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		storetest.RevocationList(t, func(*testing.T) auth.RevocationList { return stores.NewRevocationList(d) })
	})
}

func TestThrottleConformance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		storetest.Throttle(t, func(*testing.T) auth.ThrottleStore { return stores.NewThrottleStore(d) })
	})
}

func TestRateLimitStoreConformance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		storetest.RateLimitStore(t, func(*testing.T) ratelimit.Store {
			return stores.NewRateLimitStore(d, stores.RateLimitConfig{})
		})
	})
}

func TestCacheConformance(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, d *db.DB) {
		storetest.Cache(t, func(*testing.T) cache.Cache { return stores.NewCache(d) })
	})
}
