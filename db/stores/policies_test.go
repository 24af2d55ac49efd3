package stores_test

import (
	"context"
	"testing"

	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/storetest"
)

// PostgreSQL becomes unreachable under a running app (a TCP proxy in
// front of it is cut, and restored): each failure policy does what
// docs/scaling.md says, nothing panics, failures are quick, and
// everything works again when the database is back.
func TestFailurePoliciesWhenPostgresIsUnreachable(t *testing.T) {
	t.Parallel()
	url, _ := postgresURLs(t, 1)
	px, proxied := newProxy(t, url)
	d, err := db.Open(context.Background(), proxied)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	storetest.Outage(t, storetest.Stores{
		Sessions:    stores.NewSessionStore(d),
		Revocations: stores.NewRevocationList(d),
		RateLimit:   stores.NewRateLimitStore(d, stores.RateLimitConfig{}),
		Throttle:    stores.NewThrottleStore(d),
	}, storetest.Fault{Cut: px.cut, Restore: px.restore})
}
