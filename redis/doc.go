// Package redis puts nexios' shared state on Redis, so that many instances
// of an app behind a load balancer behave as one: sessions
// (SessionStore), rate-limit counters (RateLimitStore), the login throttle
// (ThrottleStore), the JWT revocation list (RevocationList), WebSocket
// fan-out between instances with optional room history (Broker, History)
// and a shared cache (Cache).
//
// Connect once by URL and share the client between every store:
//
//	rc, err := redis.Open("redis://localhost:6379/0") // or redis.FromEnv()
//	if err != nil { … }
//	defer rc.Close()
//	sessions := redis.NewSessionStore(rc, redis.SessionConfig{})
//	limits := redis.NewRateLimitStore(rc, redis.RateLimitConfig{})
//
// Every store keeps its keys under its own prefix ("nexios:session:",
// "nexios:rl:", ...), so one database can hold all of them and other data.
// Each operation is one atomic command or Lua script touching one key (or
// several keys sharing a hash tag), so the stores work on Redis Cluster as
// well as on a single server or a Sentinel-managed primary.
//
// Failure policies: every store returns Redis errors as errors, never
// panics, and recovers by itself when Redis is back (go-redis reconnects).
// What an error means is decided where it is used and documented there:
// the revocation check always fails closed (503), the login throttle fails
// closed, a session store error is a 503 (never an anonymous request), a
// rate limiter fails open, closed or to a local fallback as configured
// (ratelimit.Config.FailClosed, ratelimit.NewFallbackStore), and the broker
// reconnects and resubscribes, reporting each outage's length. See
// docs/redis.md.
package redis
