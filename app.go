package nexios

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nexios-go/nexios/bind"
	"github.com/nexios-go/nexios/internal/tree"
)

// Config configures an App. The zero value is usable: every limit has a
// safe default, listed on its field.
type Config struct {
	// Title, Version and Description describe the API (OpenAPI info).
	Title       string
	Version     string
	Description string

	// Debug shows error details and panic stacks in 500 responses. Leave it
	// off in production.
	Debug bool

	// Logger receives error and lifecycle logs. Default: slog.Default().
	Logger *slog.Logger

	// MaxBodyBytes caps request bodies read through Request; larger bodies
	// get 413. Default 10 MiB; negative means no limit.
	MaxBodyBytes int64

	// DisableTrailingSlashRedirect turns off the redirect of /a/ to /a (or
	// the reverse) when only the other form is routed (on by default: 301
	// for GET and HEAD, 308 otherwise).
	DisableTrailingSlashRedirect bool
	// DisableCleanPathRedirect turns off the redirect of paths holding
	// "//", "/./" or "/../" to their cleaned form (on by default, like
	// net/http.ServeMux).
	DisableCleanPathRedirect bool

	// Server limits used by Run, Serve, RunTLS, ServeTLS and Server (see
	// docs/serving.md for what each protects against).
	ReadHeaderTimeout time.Duration // default 10s
	ReadTimeout       time.Duration // default 60s; 0 in a custom http.Server means none
	WriteTimeout      time.Duration // default 0: streaming responses must not be cut
	IdleTimeout       time.Duration // default 120s
	MaxHeaderBytes    int           // default 64 KiB; larger request headers get 431
	ShutdownTimeout   time.Duration // default 15s: how long in-flight requests may finish
	// DrainDelay is how long Serve and Run go on serving once told to
	// stop (SIGTERM), with App.Stopping cancelled so that readiness
	// checks fail (package health), before they stop accepting
	// connections and begin the graceful shutdown: the time a load
	// balancer or Kubernetes needs to take the instance out of rotation
	// (for a readiness probe: periodSeconds × failureThreshold, plus the
	// endpoint propagation delay). Default 0: no delay. ShutdownTimeout
	// starts after it.
	DrainDelay time.Duration
	// WriteStallTimeout cuts clients that stop reading: once a response
	// has sent 64 KiB, each further 64 KiB must be taken by the client
	// within this time (a minimum rate of 64 KiB per period), or the
	// connection (HTTP/1) or stream (HTTP/2) is closed and the handler's
	// write fails. Streams (Response.Stream, Response.SSE) apply it to
	// each write instead; WebSockets have their own timeouts; a handler
	// that sets a write deadline with http.ResponseController takes the
	// policy over. Default 30s; negative disables.
	WriteStallTimeout time.Duration
	// H2C serves HTTP/2 without TLS (prior knowledge, as gRPC and
	// proxies such as Envoy speak it to backends) alongside HTTP/1.1. Off
	// by default. HTTP/2 over TLS needs no option: RunTLS and ServeTLS
	// negotiate it.
	H2C bool

	// Background tasks (Response.After): at most BackgroundWorkers run at
	// once (default 16), at most BackgroundQueue responses' tasks wait
	// (default 1024; a request whose tasks find it full waits for room
	// after its response was flushed), each with a deadline of
	// BackgroundTimeout (default 1 minute).
	BackgroundWorkers int
	BackgroundQueue   int
	BackgroundTimeout time.Duration

	// Lifespan runs at start-up after the OnStartup hooks. The function it
	// returns (may be nil) runs at shutdown before the OnShutdown hooks.
	Lifespan LifespanFunc

	// JSON encodes and decodes JSON bodies. Default: encoding/json.
	JSON JSONCodec
	// LaxJSON accepts request bodies that repeat a key in an object (the
	// last one wins) or name a field in another case ("NAME" for name),
	// as encoding/json does. By default both are 422 validation errors,
	// because a proxy or firewall that reads the first key or only the
	// exact name would judge another request than the handler receives.
	LaxJSON bool

	// RenderProblem renders every error response the app sends by default
	// (after any HandleError and HandleStatus handler declined): set it
	// once to answer in another format than application/problem+json,
	// and every error the framework produces — 404, 405, 413, 415,
	// malformed JSON, validation failures, panics — follows. The status is
	// already set on res. Default: p as application/problem+json.
	RenderProblem func(req *Request, res *Response, p *Problem) error
}

const defaultMaxBodyBytes = 10 << 20

// App is a Nexios application: routes, middleware, error handlers and
// lifecycle hooks. It is an http.Handler.
type App struct {
	// Router is the root router; App.Use adds middleware that runs for every
	// request, unmatched ones included.
	Router

	cfg        Config
	logger     *slog.Logger
	converters map[string]Converter
	tree       tree.Tree[*Route]
	values     appValues         // Key values at app scope
	names      map[string]*Route // named routes, for URLFor and duplicate checks

	errorHandlers  []typedErrorHandler
	statusHandlers map[int]ErrorHandler
	notFound       HandlerFunc
	notAllowed     HandlerFunc
	pre            []Middleware

	binder      *bind.Binder
	ruleSchemas sync.Map // custom rule → RuleSchema (DescribeRule)
	tasks       taskPool

	hooks lifecycle

	mu       sync.Mutex // guards registration and compile
	compiled atomic.Bool
	serve    HandlerFunc // pre middleware → routing → app middleware → route; nil without pre middleware
	dispatch HandlerFunc // app middleware → route
	pool     sync.Pool
	buffers  sync.Pool
}

// New returns an App configured by cfg.
func New(cfg Config) *App {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = defaultMaxBodyBytes
	}
	if cfg.JSON == nil {
		cfg.JSON = stdJSON{}
	}
	if cfg.Title == "" {
		cfg.Title = "Nexios API"
	}
	a := &App{
		cfg:            cfg,
		logger:         cfg.Logger,
		converters:     builtinConverters(),
		statusHandlers: make(map[int]ErrorHandler),
	}
	a.binder = bind.New(bind.Options{DecodeJSON: customDecoder(cfg.JSON), LaxJSON: cfg.LaxJSON})
	a.tasks.init(a)
	a.Router.app = a
	a.notFound = defaultNotFound
	a.notAllowed = defaultMethodNotAllowed
	a.pool.New = func() any {
		ex := &exchange{}
		ex.req.res = &ex.res
		ex.res.req = &ex.req
		return ex
	}
	return a
}

// Config returns the configuration the app was created with (defaults
// filled in).
func (a *App) Config() Config { return a.cfg }

// Logger returns the app's logger.
func (a *App) Logger() *slog.Logger { return a.logger }

// SetLogger replaces the app's logger (Config.Logger), for a command line
// that chooses the log format after the app was built. It must be called
// before the app serves its first request or starts up; it panics after.
func (a *App) SetLogger(l *slog.Logger) {
	if l == nil {
		panic("nexios: SetLogger(nil)")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotBeCompiled("SetLogger")
	a.logger, a.cfg.Logger = l, l
}

// Pre adds middleware that runs before routing, for every request: it may
// rewrite the method or path that routing sees. Most middleware belongs in
// Use, which runs after routing so that req.Pattern() is known.
func (a *App) Pre(mw ...Middleware) {
	a.mustNotBeCompiled("Pre")
	a.pre = append(a.pre, mw...)
}

// NotFound sets the handler for requests that match no route. Its error
// (the default returns a 404 *HTTPError) goes through the error handlers.
func (a *App) NotFound(h HandlerFunc) {
	a.mustNotBeCompiled("NotFound")
	a.notFound = h
}

// MethodNotAllowed sets the handler for a path that matches with another
// method. The Allow header is set before it runs.
func (a *App) MethodNotAllowed(h HandlerFunc) {
	a.mustNotBeCompiled("MethodNotAllowed")
	a.notAllowed = h
}

func defaultNotFound(req *Request, _ *Response) error {
	return NewHTTPError(http.StatusNotFound, "no route matches "+req.r.Method+" "+req.r.URL.Path)
}

func defaultMethodNotAllowed(req *Request, _ *Response) error {
	return NewHTTPError(http.StatusMethodNotAllowed, "method "+req.r.Method+" is not allowed for "+req.r.URL.Path)
}

// exchange pools a Request and its Response together: one allocation when
// the pool is cold, none after.
type exchange struct {
	req Request
	res Response
}

// ServeHTTP implements http.Handler.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.compiled.Load() {
		a.compile()
	}
	ex := a.pool.Get().(*exchange)
	ex.req.init(a, r)
	ex.res.init(w, r)
	a.runHandler(&ex.req, &ex.res, a.serve)
	a.finish(ex, w)
}

// finish ends a request: deferred cleanups, then background tasks handed
// to the pool, then the objects back to their pool.
func (a *App) finish(ex *exchange, w http.ResponseWriter) {
	if len(ex.req.cleanups) > 0 {
		ex.req.runCleanups()
	}
	if ex.res.after.n > 0 {
		a.tasks.submit(ex.req.r.Context(), &ex.res.after, w)
	}
	ex.req.release()
	ex.res.release()
	a.pool.Put(ex)
}

// runHandler executes h (routing, when h is nil) for one request and
// renders any error. A panic becomes a *PanicError; http.ErrAbortHandler
// is re-raised for net/http.
func (a *App) runHandler(req *Request, res *Response, h HandlerFunc) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				req.runCleanups()
				panic(p)
			}
			pe := &PanicError{Value: p, Stack: stack()}
			a.handleError(req, res, pe)
			if res.Committed() && res.StatusCode() != pe.StatusCode() {
				req.runCleanups()
				panic(http.ErrAbortHandler) // the response was cut short: abort it
			}
		}
	}()
	var err error
	if h == nil {
		err = a.route(req, res) // no pre-routing middleware (see compile)
	} else {
		err = h(req, res)
	}
	if err != nil {
		if _, ok := errors.AsType[*PanicError](err); ok && res.Committed() {
			// A panic after the response started: the body is incomplete,
			// so abort the connection rather than end it as if whole.
			a.handleError(req, res, err) // logs it
			panic(http.ErrAbortHandler)
		}
		a.handleError(req, res, err)
	}
}

// compile freezes registration and composes every middleware chain once.
func (a *App) compile() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.compiled.Load() {
		return
	}
	for _, rt := range a.allRoutes(nil) {
		rt.compile()
	}
	a.dispatch = chain(a.Router.middleware, dispatchRoute)
	a.serve = nil // runHandler routes directly: no closure to call
	if len(a.pre) > 0 {
		a.serve = chain(a.pre, a.route)
	}
	a.compiled.Store(true)
}

func (a *App) mustNotBeCompiled(what string) {
	if a.compiled.Load() {
		panic("nexios: " + what + " called after the app started serving requests; register everything before the first request")
	}
}

// dispatchRoute runs the handler that routing chose.
func dispatchRoute(req *Request, res *Response) error { return req.handler(req, res) }

// route matches the request, records the route on it and runs the app
// middleware around the chosen handler.
func (a *App) route(req *Request, res *Response) error {
	r := req.r
	path, escaped := r.URL.Path, false
	if r.URL.RawPath != "" {
		path, escaped = r.URL.EscapedPath(), true
	}
	rt, _, result := a.tree.Lookup(r.Method, path, escaped, &req.params)
	if result == tree.Found && req.params.Unclean || result != tree.Found && !isClean(r.URL.Path) {
		// Cleanliness is checked during the lookup; unmatched paths are
		// checked here, off the hot path.
		if !a.cfg.DisableCleanPathRedirect {
			req.route, req.params.N = nil, 0
			req.handler = redirectClean
			return a.dispatch(req, res)
		}
	}
	switch result {
	case tree.Found:
		req.route = rt
		r.Pattern = rt.pattern
		req.handler = rt.compiled
	case tree.MethodNotAllowed:
		res.Header()["Allow"] = a.tree.AllowHeader(path, escaped) // shared, cached value
		if r.Method != http.MethodOptions {
			req.handler = a.notAllowed
			break
		}
		// Automatic OPTIONS runs through the most specific route's router and
		// route middleware, so a router-level CORS middleware answers
		// preflights for its routes.
		req.handler = autoOptions
		if rt, _, ok := a.tree.LookupAny(path, escaped, &req.params); ok {
			req.route = rt
			r.Pattern = rt.pattern
			req.handler = rt.optionsCompiled
		}
	default:
		req.handler = a.notFound
		if target, ok := a.fallbackPath(r, path, escaped); ok {
			req.redirectTo = target
			req.handler = redirectTo
		}
	}
	if len(a.Router.middleware) == 0 {
		return req.handler(req, res) // no app middleware to run around it
	}
	return a.dispatch(req, res)
}

func autoOptions(_ *Request, res *Response) error {
	if res.Committed() {
		return nil
	}
	return res.NoContent()
}
