// Package health serves the probes an orchestrator or load balancer asks:
// /livez, which says the process runs, and /readyz, which says it should
// receive traffic: its dependencies answer (database, Redis, migrations
// applied, job client started) and it is not shutting down.
//
//	h := nexios.Must(health.New(health.Config{
//		Checks: []health.Check{
//			health.Ping("database", d),                        // *db.DB
//			health.Func("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() }),
//			health.Func("migrations", migrator.Pending),
//			health.Started("jobs", jobsClient.Started),
//		},
//		Verbose: func(req *nexios.Request) bool { return req.User().IsAuthenticated() },
//	}))
//	h.Register(app) // GET /livez and /readyz
//
// Answers are application/health+json (the IETF draft
// draft-inadarei-api-health-check): {"status":"pass"} with 200, or
// {"status":"fail"} with 503. Which check failed, its error and timings
// are shown only with ?verbose and when Config.Verbose allows the request,
// so that a public probe endpoint never reveals host names, addresses or
// error text.
//
// Readiness fails as soon as the app is told to stop (App.Stopping): with
// nexios.Config.DrainDelay set, the server keeps serving for that long
// after SIGTERM while /readyz answers 503, so a load balancer stops
// sending requests before the server stops accepting them.
package health

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
)

// Defaults of Config.
const (
	DefaultTimeout   = 800 * time.Millisecond
	DefaultCacheTTL  = time.Second
	DefaultLivePath  = "/livez"
	DefaultReadyPath = "/readyz"
)

// ContentType is the media type of every answer.
const ContentType = "application/health+json"

// Status values of an answer and of each check.
const (
	Pass = "pass"
	Fail = "fail"
	Warn = "warn"
)

// Check is one dependency that readiness waits for.
type Check struct {
	// Name identifies the check in verbose answers ("database").
	Name string
	// Check returns nil when the dependency is usable. It must honour
	// ctx, which ends after the check's timeout.
	Check func(ctx context.Context) error
	// Timeout bounds the check (default Config.Timeout).
	Timeout time.Duration
	// Optional makes a failure a warning: readiness still passes, and the
	// verbose answer shows "warn".
	Optional bool
}

// Func returns a check that calls fn: the form for Redis
// (rdb.Ping(ctx).Err()), pending migrations (migrator.Pending) or any
// other dependency.
func Func(name string, fn func(ctx context.Context) error) Check {
	return Check{Name: name, Check: fn}
}

// Pinger is a dependency with a context-aware Ping: *db.DB, *sql.DB.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Ping returns a check that pings p (PingContext for a *sql.DB: wrap it
// with Func).
func Ping(name string, p Pinger) Check {
	return Check{Name: name, Check: p.Ping}
}

// ErrNotStarted is the error of a Started check whose component has not
// started, or has stopped.
var ErrNotStarted = errors.New("health: not started")

// Started returns a check that passes while started reports true: a job
// client (jobs.Client.Started), a consumer, a cache warmed at start-up.
func Started(name string, started func() bool) Check {
	return Check{Name: name, Check: func(context.Context) error {
		if !started() {
			return ErrNotStarted
		}
		return nil
	}}
}

// Config configures the probes. The zero value serves /livez and a
// /readyz that only fails while the app shuts down.
type Config struct {
	// Checks are run, concurrently, by every readiness probe whose answer
	// is not cached.
	Checks []Check
	// Timeout bounds each check that sets none (default 800 ms: below the
	// one second a Kubernetes probe waits by default).
	Timeout time.Duration
	// CacheTTL is how long a readiness result is reused (default 1s;
	// negative: never). Probes from several load balancers, or a client
	// hammering /readyz, then cost the database one ping per period;
	// concurrent probes share one run either way. Shutting down is never
	// cached.
	CacheTTL time.Duration
	// Verbose decides whether a request may see the details (per-check
	// status, duration and error) it asks for with ?verbose: an
	// authenticated operator, a request from the cluster network. Default
	// nil: only when the app runs with Config.Debug. Details are never
	// shown without ?verbose, and a request that may not see them gets
	// the plain answer.
	Verbose func(req *nexios.Request) bool
	// LivePath and ReadyPath are where Register mounts the probes
	// (defaults /livez and /readyz).
	LivePath  string
	ReadyPath string
}

// Health serves the liveness and readiness probes. Build it with New.
type Health struct {
	cfg    Config
	checks []Check

	mu      sync.Mutex
	cached  *result
	expires time.Time
	running chan struct{} // closed when the run in progress ends; nil when none
}

// New validates cfg and returns the probes.
func New(cfg Config) (*Health, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("health: negative Timeout %s", cfg.Timeout)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.LivePath == "" {
		cfg.LivePath = DefaultLivePath
	}
	if cfg.ReadyPath == "" {
		cfg.ReadyPath = DefaultReadyPath
	}
	var errs []error
	seen := make(map[string]bool, len(cfg.Checks))
	checks := make([]Check, len(cfg.Checks))
	for i, c := range cfg.Checks {
		switch {
		case c.Name == "":
			errs = append(errs, fmt.Errorf("health: check %d has no name", i+1))
		case seen[c.Name]:
			errs = append(errs, fmt.Errorf("health: two checks named %q", c.Name))
		case c.Check == nil:
			errs = append(errs, fmt.Errorf("health: check %q has no function", c.Name))
		case c.Timeout < 0:
			errs = append(errs, fmt.Errorf("health: check %q: negative timeout", c.Name))
		}
		seen[c.Name] = true
		if c.Timeout == 0 {
			c.Timeout = cfg.Timeout
		}
		checks[i] = c
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Health{cfg: cfg, checks: checks}, nil
}

// Register mounts GET (and HEAD) LivePath and ReadyPath on app, left out
// of the OpenAPI document. Mount them on the app itself, outside routers
// whose middleware requires authentication: probes carry no credentials.
func (h *Health) Register(app *nexios.App) {
	app.Get(h.cfg.LivePath, h.Live, nexios.ExcludeFromSchema(), nexios.Name("health.live"))
	app.Get(h.cfg.ReadyPath, h.Ready, nexios.ExcludeFromSchema(), nexios.Name("health.ready"))
}

// Live answers the liveness probe: 200 {"status":"pass"} while the
// process can answer at all. It checks nothing else on purpose: a
// liveness failure restarts the process, which cures a deadlock but not a
// database outage. It keeps passing while the app shuts down.
func (h *Health) Live(req *nexios.Request, res *nexios.Response) error {
	return write(res, http.StatusOK, &answer{Status: Pass})
}

// Ready answers the readiness probe: 200 when every required check
// passes, 503 when one fails or the app is shutting down.
func (h *Health) Ready(req *nexios.Request, res *nexios.Response) error {
	verbose := h.verbose(req)
	if err := req.App().Stopping().Err(); err != nil {
		a := &answer{Status: Fail}
		if verbose {
			a.Notes = []string{"shutting down"}
		}
		return write(res, http.StatusServiceUnavailable, a)
	}
	r := h.result(req.Context())
	a := &answer{Status: r.status}
	if verbose {
		a.Checks = r.checks
	}
	status := http.StatusOK
	if r.status == Fail {
		status = http.StatusServiceUnavailable
	}
	return write(res, status, a)
}

func (h *Health) verbose(req *nexios.Request) bool {
	if _, asked := req.QueryParams()["verbose"]; !asked {
		return false
	}
	if h.cfg.Verbose == nil {
		return req.App().Config().Debug
	}
	return h.cfg.Verbose(req)
}
