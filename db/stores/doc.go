// Package stores puts nexios' shared state on the data layer's database,
// SQLite or PostgreSQL, so that a single instance keeps sessions and
// logouts across restarts without Redis, and a fleet on PostgreSQL
// behaves as one app:
//
//	d, err := db.Open(ctx, "sqlite:app.db")                 // or postgres://…
//	err = d.Migrate(ctx, migrations, db.WithGoMigrations(stores.Migration(20250601000000)))
//	sessions := stores.NewSessionStore(d)                   // session.Store
//	revoked  := stores.NewRevocationList(d)                 // auth.RevocationList
//	throttle := stores.NewThrottleStore(d)                  // auth.ThrottleStore
//	limits   := stores.NewRateLimitStore(d, stores.RateLimitConfig{}) // ratelimit.Store
//	cached   := stores.NewCache(d)                          // cache.Cache
//	broker, err := stores.NewBroker(ctx, d, stores.BrokerConfig{}) // websocket.Broker (PostgreSQL)
//	stores.NewSweeper(d, stores.SweeperConfig{}).Attach(app) // deletes expired rows
//
// Every store passes its storetest conformance suite on both databases,
// concurrency properties included. Their tables come from Migration (a Go
// migration to add to the app's own) or Migrate. Each operation is one
// statement, or on SQLite one write transaction, so stores are atomic
// across instances and processes; a rate-limit Take applies the same
// arithmetic as ratelimit.Policy.Apply. On PostgreSQL times come from the
// server's clock, so instances with skewed clocks agree; SQLite uses the
// process's.
//
// A store called with a context that carries a transaction of its
// database (db.Tx, db.TxMiddleware) runs in that transaction, like every
// query of the data layer: a revocation made inside a handler's
// transaction commits or rolls back with it.
//
// See docs/sql-stores.md and docs/scaling.md.
package stores
