// Package storetest is the conformance kit for the stores behind nexios'
// shared state: one suite per interface that every implementation must
// pass, the in-memory ones shipped with nexios, the Redis and SQL ones,
// and users' own. Call a suite from a test with a constructor that
// returns a fresh store:
//
//	func TestMyRevocationList(t *testing.T) {
//		storetest.RevocationList(t, func(t *testing.T) auth.RevocationList {
//			return myredis.NewRevocationList(client, "test:"+t.Name()+":")
//		})
//	}
//
// The suites check behaviour through the interface only, including the
// concurrency properties the framework relies on (100 goroutines calling
// RevokeOnce for one jti see exactly one first; 100 goroutines reserving
// against a limit of 50 get exactly 50), so run them with -race. They use
// the real clock with short lifetimes (well under two seconds in all), so
// the store's clock (a Redis or SQL server's) must agree with the test's
// to within about 100 ms. Subtests run in parallel and use unique keys,
// so one store may back all of them.
//
// Suites: RevocationList (auth.RevocationList), Throttle
// (auth.ThrottleStore), SessionStore (session.Store, server-side),
// RateLimitStore (ratelimit.Store), Broker (websocket.Broker, across
// instances) and Cache (cache.Cache).
//
// Beyond the suites, app scenarios run a real app on a set of Stores:
// Outage cuts their backend under a running app (with a Fault the test
// provides: a proxy cut, a killed server) and checks every failure
// policy and the recovery; Instances checks that instances of NewApp
// sharing a backend behave as one app, also when one dies. The
// benchmark bodies BenchmarkTake, BenchmarkSession and
// BenchmarkBrokerFanOut measure a store the same way in every module.
package storetest
