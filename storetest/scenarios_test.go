package storetest_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/testclient/cluster"
	"github.com/nexios-go/nexios/websocket"
)

// The app scenarios pass on the in-memory stores: shared by three
// instances in one process (Instances), and behind a switch that makes
// every call fail as a remote store's would (Outage). broken_test.go
// checks that they fail on stores that are not shared or fail open.

func TestMemoryInstances(t *testing.T) {
	t.Parallel()
	s := memoryStores(t)
	storetest.Instances(t, memoryCluster(t, func() storetest.Stores { return s }))
}

func TestMemoryOutage(t *testing.T) {
	t.Parallel()
	var b backend
	storetest.Outage(t, b.wrap(memoryStores(t)), b.fault())
}

// memoryStores returns new in-memory stores.
func memoryStores(t *testing.T) storetest.Stores {
	sessions := session.NewMemoryStore(session.MemoryConfig{})
	t.Cleanup(func() { _ = sessions.Close() })
	return storetest.Stores{
		Sessions:    sessions,
		Revocations: &auth.MemoryRevocationList{},
		RateLimit:   ratelimit.NewMemoryStore(ratelimit.MemoryConfig{}),
		Throttle:    auth.NewMemoryThrottleStore(auth.MemoryThrottleConfig{}),
	}
}

// memoryCluster starts three instances of storetest.NewApp on one
// MemoryBroker, each on the stores that stores returns: the same ones
// every time for one app in three instances.
func memoryCluster(t *testing.T, stores func() storetest.Stores) *cluster.Cluster {
	broker := websocket.NewMemoryBroker()
	return cluster.Start(t, 3, func(i int) http.Handler {
		hub := websocket.NewHub(websocket.HubConfig{Broker: broker})
		app := storetest.NewApp(i, stores(), hub)
		app.OnShutdown(hub.Close)
		return app
	})
}

// unsharedSessions are three instances whose session stores are their
// own, the other stores shared: what Instances must catch.
func unsharedSessions(t *testing.T) *cluster.Cluster {
	shared := memoryStores(t)
	return memoryCluster(t, func() storetest.Stores {
		s := shared
		s.Sessions = memoryStores(t).Sessions
		return s
	})
}

// errDown is every call's error while a backend is cut.
var errDown = errors.New("backend unreachable")

// backend puts stores behind a switch: while it is down, every call
// fails with errDown.
type backend struct{ down atomic.Bool }

func (b *backend) err() error {
	if b.down.Load() {
		return errDown
	}
	return nil
}

func (b *backend) fault() storetest.Fault {
	return storetest.Fault{Cut: func() { b.down.Store(true) }, Restore: func() { b.down.Store(false) }}
}

func (b *backend) wrap(s storetest.Stores) storetest.Stores {
	return storetest.Stores{
		Sessions:    cutSessions{s.Sessions, b},
		Revocations: cutRevocations{s.Revocations, b},
		RateLimit:   cutRateLimit{s.RateLimit, b},
		Throttle:    cutThrottle{s.Throttle, b},
	}
}

type cutSessions struct {
	s session.Store
	b *backend
}

func (c cutSessions) Load(ctx context.Context, token string) (*session.Record, error) {
	if err := c.b.err(); err != nil {
		return nil, err
	}
	return c.s.Load(ctx, token)
}

func (c cutSessions) Save(ctx context.Context, token string, rec *session.Record, ttl time.Duration) (string, error) {
	if err := c.b.err(); err != nil {
		return "", err
	}
	return c.s.Save(ctx, token, rec, ttl)
}

func (c cutSessions) Delete(ctx context.Context, token string) error {
	if err := c.b.err(); err != nil {
		return err
	}
	return c.s.Delete(ctx, token)
}

type cutRevocations struct {
	l auth.RevocationList
	b *backend
}

func (c cutRevocations) RevokeOnce(ctx context.Context, jti string, exp time.Time) (bool, error) {
	if err := c.b.err(); err != nil {
		return false, err
	}
	return c.l.RevokeOnce(ctx, jti, exp)
}

func (c cutRevocations) RevokeFamily(ctx context.Context, family string, exp time.Time) error {
	if err := c.b.err(); err != nil {
		return err
	}
	return c.l.RevokeFamily(ctx, family, exp)
}

func (c cutRevocations) RevokeSubject(ctx context.Context, subject string, before, exp time.Time) error {
	if err := c.b.err(); err != nil {
		return err
	}
	return c.l.RevokeSubject(ctx, subject, before, exp)
}

func (c cutRevocations) IsRevoked(ctx context.Context, rc auth.RevocationCheck) (bool, error) {
	if err := c.b.err(); err != nil {
		return false, err
	}
	return c.l.IsRevoked(ctx, rc)
}

type cutRateLimit struct {
	s ratelimit.Store
	b *backend
}

func (c cutRateLimit) Take(ctx context.Context, key string, now time.Time, p ratelimit.Policy, n int) (ratelimit.Result, error) {
	if err := c.b.err(); err != nil {
		return ratelimit.Result{}, err
	}
	return c.s.Take(ctx, key, now, p, n)
}

func (c cutRateLimit) Reset(ctx context.Context, key string) error {
	if err := c.b.err(); err != nil {
		return err
	}
	return c.s.Reset(ctx, key)
}

type cutThrottle struct {
	s auth.ThrottleStore
	b *backend
}

func (c cutThrottle) Reserve(ctx context.Context, key string, limit int, window time.Duration) (auth.ThrottleResult, error) {
	if err := c.b.err(); err != nil {
		return auth.ThrottleResult{}, err
	}
	return c.s.Reserve(ctx, key, limit, window)
}

func (c cutThrottle) Release(ctx context.Context, key string, id uint64) error {
	if err := c.b.err(); err != nil {
		return err
	}
	return c.s.Release(ctx, key, id)
}

func (c cutThrottle) Reset(ctx context.Context, key string) error {
	if err := c.b.err(); err != nil {
		return err
	}
	return c.s.Reset(ctx, key)
}

// failOpenRevocations answers "not revoked" while its backend is down:
// the failure policy Outage must catch.
type failOpenRevocations struct{ cutRevocations }

func (f failOpenRevocations) IsRevoked(ctx context.Context, rc auth.RevocationCheck) (bool, error) {
	if f.b.err() != nil {
		return false, nil
	}
	return f.l.IsRevoked(ctx, rc)
}
