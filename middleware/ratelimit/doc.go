// Package ratelimit limits how many requests a client may make in a period,
// the Go form of Nexios' RateLimitMiddleware:
//
//	app.Use(nexios.Must(ratelimit.New(ratelimit.Config{Limit: 100, Window: time.Minute})))
//
// Requests are counted per key (the client IP by default, see KeyFunc) with
// one of three algorithms (FixedWindow, SlidingWindow, TokenBucket/GCRA).
// Every response carries X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (or the IETF draft's RateLimit and RateLimit-Policy
// fields); a request over the limit gets 429 Too Many Requests with
// Retry-After and an RFC 9457 problem body, returned as a *nexios.HTTPError
// (wrapping an *ExceededError) so the app's error handlers can render it
// their own way.
//
// Counters live in a Store. Store.Take reads and updates a key in one
// atomic step, so a remote store (Redis) runs the same algorithms with the
// same results across instances; MemoryStore is the in-process default.
// Under any number of concurrent requests exactly Limit are admitted.
//
// A Limiter applies a policy outside HTTP, for login throttling and
// similar checks:
//
//	lim, _ := ratelimit.NewLimiter(ratelimit.LimiterConfig{Limit: 5, Window: 15 * time.Minute})
//	if res, err := lim.Allow(ctx, "login:"+email); err == nil && !res.Allowed { … }
//
// The algorithms are this package's own rather than golang.org/x/time/rate,
// which DESIGN.md first named, for one reason: a policy must give the same
// answers whether its counters live in memory, in Redis or in SQL.
// x/time/rate is an in-process token bucket whose state is a Go value
// updated under a mutex; it offers no fixed or sliding window and no way
// to express a take as one atomic step on a remote store. Here each
// policy is Policy.Apply, integer arithmetic from (stored state, now) to
// (decision, new state) that is small enough to restate exactly where the
// state lives: MemoryStore runs it under a lock, the Redis store as a Lua
// script with the same arithmetic, the SQL stores in one statement (a
// PostgreSQL function) or a transaction (SQLite). The store conformance
// kit (storetest) runs the same tables against all of them, so a limit
// behaves identically on one instance or many.
//
// Keying by IP is only as good as the client IP: behind a proxy, install
// the trusted-proxy middleware so that req.ClientIP() is the client's
// address, and make sure it trusts only your proxies.
package ratelimit
