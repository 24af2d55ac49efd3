package ratelimit_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/benchtest"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/ratelimit"
)

func benchApp(mw nexios.Middleware) *nexios.App {
	app := nexios.New(nexios.Config{})
	if mw != nil {
		app.Use(mw)
	}
	app.Get("/", ok)
	return app
}

func serve(b *testing.B, app http.Handler, r *http.Request) {
	w := benchtest.NewWriter()
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		app.ServeHTTP(w, r)
	}
}

// tickClock advances by step on every call, so that every request is
// admitted (step ≥ Window/Limit) and the numbers stay small.
func tickClock(step time.Duration) func() time.Time {
	var n atomic.Int64
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * step) }
}

func BenchmarkBaseline(b *testing.B) {
	serve(b, benchApp(nil), httptest.NewRequest("GET", "/", nil))
}

// BenchmarkAllowed is the cost of an admitted request with the default
// headers, per algorithm, on one key.
func BenchmarkAllowed(b *testing.B) {
	for _, alg := range algorithms {
		b.Run(alg.String(), func(b *testing.B) {
			mw := must(b, ratelimit.Config{Algorithm: alg, Limit: 100, Window: time.Minute, Now: tickClock(1200 * time.Millisecond)})
			serve(b, benchApp(mw), httptest.NewRequest("GET", "/", nil))
		})
	}
}

func BenchmarkAllowedIETFHeaders(b *testing.B) {
	mw := must(b, ratelimit.Config{Limit: 100, Window: time.Minute, Headers: ratelimit.IETFHeaders, Now: tickClock(1200 * time.Millisecond)})
	serve(b, benchApp(mw), httptest.NewRequest("GET", "/", nil))
}

func BenchmarkRejected(b *testing.B) {
	mw := must(b, ratelimit.Config{Limit: 1, Window: time.Hour, Now: newClock().Now})
	serve(b, benchApp(mw), httptest.NewRequest("GET", "/", nil))
}

func BenchmarkLimiterAllow(b *testing.B) {
	lim, err := ratelimit.NewLimiter(ratelimit.LimiterConfig{Algorithm: ratelimit.TokenBucket, Limit: 100, Window: time.Minute,
		Now: tickClock(600 * time.Millisecond)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r, _ := lim.Allow(ctx, "login:ada@example.com"); !r.Allowed {
			b.Fatal("rejected")
		}
	}
}

// parallelApp admits everything: a huge limit on the real clock. Headers
// are off so that the store's contention is what is measured.
func parallelApp(b *testing.B, mw bool) *nexios.App {
	if !mw {
		return benchApp(nil)
	}
	return benchApp(must(b, ratelimit.Config{Algorithm: ratelimit.TokenBucket, Limit: 1 << 30, Window: time.Hour, Headers: ratelimit.NoHeaders}))
}

func runParallel(b *testing.B, app http.Handler, keys int) {
	var gid atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		g := int(gid.Add(1))
		reqs := make([]*http.Request, keys)
		for i := range reqs {
			reqs[i] = httptest.NewRequest("GET", "/", nil)
			if keys > 1 {
				reqs[i].RemoteAddr = "10." + strconv.Itoa(g%256) + "." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256) + ":1234"
			}
		}
		w := benchtest.NewWriter()
		for i := 0; pb.Next(); i++ {
			w.Reset()
			app.ServeHTTP(w, reqs[i%keys])
		}
	})
}

func BenchmarkParallelOneKey(b *testing.B) {
	b.Run("baseline", func(b *testing.B) { runParallel(b, parallelApp(b, false), 1) })
	b.Run("ratelimit", func(b *testing.B) { runParallel(b, parallelApp(b, true), 1) })
}

func BenchmarkParallelManyKeys(b *testing.B) {
	b.Run("baseline", func(b *testing.B) { runParallel(b, parallelApp(b, false), 1024) })
	b.Run("ratelimit", func(b *testing.B) { runParallel(b, parallelApp(b, true), 1024) })
}
