// Package prometheus exports a Nexios app's metrics to Prometheus with
// prometheus/client_golang: RED metrics per route pattern (never per raw
// path, so cardinality stays bounded), requests in flight, response
// sizes, WebSocket connections and messages, background tasks, database
// pool statistics, and the Go runtime and process. Package
// prometheus/jobmetrics adds durable job metrics.
//
//	m := nexios.Must(prometheus.New(prometheus.Config{}))
//	app.Use(m.Middleware())
//	m.Instrument(app)                     // background tasks, WebSockets
//	m.MustRegister(prometheus.Database("main", d))
//	m.Register(app, "/metrics", auth.Required("metrics")) // or:
//	m.Listen(app, ":9090")                // a separate listener
//
// The package name clashes with client_golang's: import it as nxprom.
// See docs/observability.md for the metric list and dashboard queries.
package prometheus

import (
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nexios-go/nexios"
)

// Unmatched is the route label of requests that matched no route (404,
// 405 for an unknown path, redirects to the canonical path): raw paths
// are never labels.
const Unmatched = "unmatched"

// Default histogram buckets.
var (
	// DefaultDurationBuckets are in seconds, from 5 ms to 10 s (those of
	// OpenTelemetry's HTTP server duration).
	DefaultDurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	// DefaultSizeBuckets are in bytes, from 100 B to 100 MB.
	DefaultSizeBuckets = prom.ExponentialBuckets(100, 10, 7)
)

// Config configures the metrics. The zero value is usable.
type Config struct {
	// Registry receives every metric. Default: a new registry with the
	// Go runtime and process collectors (a fresh registry rather than
	// prometheus.DefaultRegisterer: no global state, and several apps in
	// one process do not collide).
	Registry *prom.Registry
	// Namespace prefixes every metric name ("shop" gives
	// shop_http_server_request_duration_seconds). Default: none.
	Namespace string
	// DurationBuckets and SizeBuckets are the histogram buckets (defaults
	// above).
	DurationBuckets []float64
	SizeBuckets     []float64
	// Skip, when it returns true, leaves a request out of the HTTP
	// metrics.
	Skip func(*nexios.Request) bool
}

// Metrics holds the collectors of one app. Build it with New.
type Metrics struct {
	cfg Config
	reg *prom.Registry

	inFlight prom.Gauge
	duration *prom.HistogramVec
	size     *prom.HistogramVec
	series   atomic.Pointer[map[seriesKey]*series] // copy on write
	mu       sync.Mutex                            // serialises series writers

	ws    *wsMetrics
	tasks *taskMetrics
}

// New returns the metrics, registered on cfg.Registry.
func New(cfg Config) (*Metrics, error) {
	if cfg.Registry == nil {
		cfg.Registry = prom.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if cfg.DurationBuckets == nil {
		cfg.DurationBuckets = DefaultDurationBuckets
	}
	if cfg.SizeBuckets == nil {
		cfg.SizeBuckets = DefaultSizeBuckets
	}
	ns := cfg.Namespace
	labels := []string{"method", "route", "code"}
	m := &Metrics{
		cfg: cfg,
		reg: cfg.Registry,
		inFlight: prom.NewGauge(prom.GaugeOpts{
			Namespace: ns, Name: "http_server_active_requests",
			Help: "HTTP requests being served.",
		}),
		duration: prom.NewHistogramVec(prom.HistogramOpts{
			Namespace: ns, Name: "http_server_request_duration_seconds",
			Help:    "Time to serve HTTP requests, by method, route pattern and status code; its _count counts requests.",
			Buckets: cfg.DurationBuckets,
		}, labels),
		size: prom.NewHistogramVec(prom.HistogramOpts{
			Namespace: ns, Name: "http_server_response_body_size_bytes",
			Help:    "Size of HTTP response bodies, by method, route pattern and status code.",
			Buckets: cfg.SizeBuckets,
		}, labels),
		ws:    newWSMetrics(ns),
		tasks: newTaskMetrics(ns, cfg.DurationBuckets),
	}
	empty := map[seriesKey]*series{}
	m.series.Store(&empty)
	cs := []prom.Collector{m.inFlight, m.duration, m.size}
	cs = append(cs, m.ws.collectors()...)
	cs = append(cs, m.tasks.collectors()...)
	for _, c := range cs {
		if err := cfg.Registry.Register(c); err != nil {
			return nil, fmt.Errorf("prometheus: %w", err)
		}
	}
	return m, nil
}

// Registry returns the registry the metrics are on: register the app's
// own metrics there.
func (m *Metrics) Registry() *prom.Registry { return m.reg }

// MustRegister registers more collectors (Database, the app's own) and
// panics on a conflict, at start-up.
func (m *Metrics) MustRegister(cs ...prom.Collector) { m.reg.MustRegister(cs...) }

// Handler returns the scrape handler (text exposition format, gzip when
// asked). It is an http.Handler for any server or mux.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		Registry:            m.reg, // promhttp_metric_handler_errors_total
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// Register serves the metrics at GET path on app, behind mw (an auth
// guard such as auth.Required, an IP allow-list), left out of the
// OpenAPI document. Metrics reveal routes, traffic and internals: protect
// the path, or serve it on a separate internal listener with Listen.
func (m *Metrics) Register(app *nexios.App, path string, mw ...nexios.Middleware) {
	app.Get(path, nexios.WrapHandler(m.Handler()), nexios.ExcludeFromSchema(), nexios.WithMiddleware(mw...), nexios.Name("metrics"))
}

// Database returns a collector of the connection pool statistics of a
// data layer database (*db.DB, whose SQL and ReadSQL return its pools):
// go_sql_* metrics labelled db_name=name, and name+"_read" for a separate
// read pool (a SQLite file's readers).
func Database(name string, d interface {
	SQL() *sql.DB
	ReadSQL() *sql.DB
}) prom.Collector {
	w, r := d.SQL(), d.ReadSQL()
	if r == nil || r == w {
		return collectors.NewDBStatsCollector(w, name)
	}
	return multiCollector{collectors.NewDBStatsCollector(w, name), collectors.NewDBStatsCollector(r, name+"_read")}
}

// SQL returns a collector of a *sql.DB's pool statistics, labelled
// db_name=name.
func SQL(name string, db *sql.DB) prom.Collector { return collectors.NewDBStatsCollector(db, name) }

type multiCollector []prom.Collector

func (mc multiCollector) Describe(ch chan<- *prom.Desc) {
	for _, c := range mc {
		c.Describe(ch)
	}
}

func (mc multiCollector) Collect(ch chan<- prom.Metric) {
	for _, c := range mc {
		c.Collect(ch)
	}
}

// seriesKey identifies the HTTP series of a request.
type seriesKey struct {
	route  string
	method string
	code   int
}

// series are the observers of one label combination, looked up once.
type series struct {
	duration prom.Observer
	size     prom.Observer
}

// lookup returns the series of k, creating it on first use. Reads take
// no lock: the map is replaced, never changed, and the label
// combinations are bounded (routes × methods × status codes).
func (m *Metrics) lookup(k seriesKey) *series {
	if s, ok := (*m.series.Load())[k]; ok {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.series.Load()
	if s, ok := old[k]; ok {
		return s
	}
	code := strconv.Itoa(k.code)
	s := &series{
		duration: m.duration.WithLabelValues(k.method, k.route, code),
		size:     m.size.WithLabelValues(k.method, k.route, code),
	}
	next := make(map[seriesKey]*series, len(old)+1)
	for key, v := range old {
		next[key] = v
	}
	next[k] = s
	m.series.Store(&next)
	return s
}
