package stores_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
	"github.com/nexios-go/nexios/db/stores"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
)

// An app whose sessions, logouts and rate limits live in its database:
// they survive restarts, and on PostgreSQL every instance shares them.
func Example() {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite::memory:") // sqlite:app.db, or postgres://… for a fleet
	if err != nil {
		panic(err)
	}
	// The stores' tables: a Go migration beside the app's own
	// (d.Migrate(ctx, migrations, db.WithGoMigrations(stores.Migration(20250601000000)))),
	// or on their own:
	if err := stores.Migrate(ctx, d); err != nil {
		panic(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	d.Attach(app)
	stores.NewSweeper(d, stores.SweeperConfig{}).Attach(app) // after d: stops before it closes

	app.Use(nexios.Must(session.New(session.Config{Store: stores.NewSessionStore(d)})))
	app.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: 100, Window: time.Minute,
		Store: stores.NewRateLimitStore(d, stores.RateLimitConfig{})})))
	jwt, err := auth.NewJWT(auth.JWTConfig{
		Keys:        []auth.Key{auth.HS256Key([]byte("a secret of at least thirty-two bytes!"))},
		Revocations: stores.NewRevocationList(d),
	})
	if err != nil {
		panic(err)
	}

	pair, _ := jwt.CreateTokenPair("ada", nil)
	fmt.Println(jwt.Revoke(ctx, pair.RefreshToken)) // a logout, kept in the database
	_, err = jwt.Refresh(ctx, pair.RefreshToken)
	fmt.Println(err != nil)

	if err := app.Startup(ctx); err != nil {
		panic(err)
	}
	fmt.Println(app.Shutdown(ctx))
	// Output:
	// <nil>
	// true
	// <nil>
}
