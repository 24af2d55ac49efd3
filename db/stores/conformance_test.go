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
	eachFresh(t, func(t *testing.T, database func(*testing.T) *db.DB) {
		storetest.SessionStore(t, func(t *testing.T) session.Store { return stores.NewSessionStore(database(t)) })
	})
}

func TestRevocationListConformance(t *testing.T) {
	t.Parallel()
	eachFresh(t, func(t *testing.T, database func(*testing.T) *db.DB) {
		storetest.RevocationList(t, func(t *testing.T) auth.RevocationList { return stores.NewRevocationList(database(t)) })
	})
}

func TestThrottleConformance(t *testing.T) {
	t.Parallel()
	eachFresh(t, func(t *testing.T, database func(*testing.T) *db.DB) {
		storetest.Throttle(t, func(t *testing.T) auth.ThrottleStore { return stores.NewThrottleStore(database(t)) })
	})
}

func TestRateLimitStoreConformance(t *testing.T) {
	t.Parallel()
	eachFresh(t, func(t *testing.T, database func(*testing.T) *db.DB) {
		storetest.RateLimitStore(t, func(t *testing.T) ratelimit.Store {
			return stores.NewRateLimitStore(database(t), stores.RateLimitConfig{})
		})
	})
}

func TestCacheConformance(t *testing.T) {
	t.Parallel()
	eachFresh(t, func(t *testing.T, database func(*testing.T) *db.DB) {
		storetest.Cache(t, func(t *testing.T) cache.Cache { return stores.NewCache(database(t)) })
	})
}
