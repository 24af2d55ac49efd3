package stores_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// Three instances sharing PostgreSQL behave as one app: each has its own
// pool, stores, broker and hub, as three processes would.
func TestThreeInstancesOnPostgres(t *testing.T) {
	t.Parallel()
	_, ds := postgresURLs(t, 3)
	c := cluster.Start(t, 3, func(i int) http.Handler {
		d := ds[i]
		broker, err := stores.NewBroker(context.Background(), d, stores.BrokerConfig{})
		if err != nil {
			t.Fatal(err)
		}
		hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
		app := storetest.NewApp(i, storetest.Stores{
			Sessions:    stores.NewSessionStore(d),
			Revocations: stores.NewRevocationList(d),
			RateLimit:   stores.NewRateLimitStore(d, stores.RateLimitConfig{}),
		}, hub)
		app.OnShutdown(func(context.Context) error { return broker.Close() })
		app.OnShutdown(hub.Close) // runs first: hooks run last registered first
		return app
	})
	storetest.Instances(t, c)
}
