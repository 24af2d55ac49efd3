package prometheus

import (
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

// Instrument makes the metrics observe the app's background tasks
// (Response.After) and WebSocket connections, and registers gauges of the
// task pool. Call it once per app, at start-up.
func (m *Metrics) Instrument(app *nexios.App) {
	app.ObserveTasks(m.tasks)
	websocket.Observe(app, m.ws)
	m.reg.MustRegister(&taskPoolCollector{app: app, descs: m.tasks.poolDescs})
}

// wsMetrics observes WebSocket connections (websocket.Observer).
type wsMetrics struct {
	active   *prom.GaugeVec
	opened   *prom.CounterVec
	duration *prom.HistogramVec
	received *prom.CounterVec
	sent     *prom.CounterVec
	recvB    *prom.CounterVec
	sentB    *prom.CounterVec
}

func newWSMetrics(ns string) *wsMetrics {
	route := []string{"route"}
	routeType := []string{"route", "type"}
	return &wsMetrics{
		active: prom.NewGaugeVec(prom.GaugeOpts{Namespace: ns, Name: "websocket_connections_active",
			Help: "Open WebSocket connections, by route pattern."}, route),
		opened: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "websocket_connections_total",
			Help: "WebSocket connections accepted, by route pattern."}, route),
		duration: prom.NewHistogramVec(prom.HistogramOpts{Namespace: ns, Name: "websocket_connection_duration_seconds",
			Help: "How long WebSocket connections stayed open, by route pattern.",
			// Connections last from seconds to hours.
			Buckets: []float64{1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600}}, route),
		received: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "websocket_messages_received_total",
			Help: "WebSocket data messages received, by route pattern and type (text, binary)."}, routeType),
		sent: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "websocket_messages_sent_total",
			Help: "WebSocket data messages sent, by route pattern and type (text, binary)."}, routeType),
		recvB: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "websocket_received_bytes_total",
			Help: "Payload bytes of WebSocket messages received, by route pattern."}, route),
		sentB: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "websocket_sent_bytes_total",
			Help: "Payload bytes of WebSocket messages sent, by route pattern."}, route),
	}
}

func (w *wsMetrics) collectors() []prom.Collector {
	return []prom.Collector{w.active, w.opened, w.duration, w.received, w.sent, w.recvB, w.sentB}
}

func wsRoute(c *websocket.Conn) string {
	if p := c.Pattern(); p != "" {
		return p
	}
	return Unmatched
}

func msgType(t websocket.MessageType) string {
	if t == websocket.MessageBinary {
		return "binary"
	}
	return "text"
}

// Opened implements websocket.Observer.
func (w *wsMetrics) Opened(c *websocket.Conn) {
	r := wsRoute(c)
	w.active.WithLabelValues(r).Inc()
	w.opened.WithLabelValues(r).Inc()
}

// Closed implements websocket.Observer.
func (w *wsMetrics) Closed(c *websocket.Conn, open time.Duration) {
	r := wsRoute(c)
	w.active.WithLabelValues(r).Dec()
	w.duration.WithLabelValues(r).Observe(open.Seconds())
}

// Received implements websocket.Observer.
func (w *wsMetrics) Received(c *websocket.Conn, typ websocket.MessageType, size int) {
	r := wsRoute(c)
	w.received.WithLabelValues(r, msgType(typ)).Inc()
	w.recvB.WithLabelValues(r).Add(float64(size))
}

// Sent implements websocket.Observer.
func (w *wsMetrics) Sent(c *websocket.Conn, typ websocket.MessageType, size int) {
	r := wsRoute(c)
	w.sent.WithLabelValues(r, msgType(typ)).Inc()
	w.sentB.WithLabelValues(r).Add(float64(size))
}

// taskMetrics observes background tasks (nexios.TaskObserver).
type taskMetrics struct {
	queued    prom.Counter
	completed *prom.CounterVec
	dropped   prom.Counter
	wait      prom.Histogram
	run       prom.Histogram
	poolDescs [4]*prom.Desc
}

func newTaskMetrics(ns string, buckets []float64) *taskMetrics {
	name := func(n string) string { return prom.BuildFQName(ns, "", n) }
	return &taskMetrics{
		queued: prom.NewCounter(prom.CounterOpts{Namespace: ns, Name: "background_tasks_queued_total",
			Help: "Background tasks (Response.After) handed to the pool."}),
		completed: prom.NewCounterVec(prom.CounterOpts{Namespace: ns, Name: "background_tasks_completed_total",
			Help: "Background tasks that ran, by outcome (ok, panic)."}, []string{"outcome"}),
		dropped: prom.NewCounter(prom.CounterOpts{Namespace: ns, Name: "background_tasks_dropped_total",
			Help: "Background tasks dropped because the app had shut down."}),
		wait: prom.NewHistogram(prom.HistogramOpts{Namespace: ns, Name: "background_task_wait_seconds",
			Help: "Time from the end of a response to the start of its background task.", Buckets: buckets}),
		run: prom.NewHistogram(prom.HistogramOpts{Namespace: ns, Name: "background_task_duration_seconds",
			Help: "Run time of background tasks.", Buckets: buckets}),
		poolDescs: [4]*prom.Desc{
			prom.NewDesc(name("background_tasks_queue_length"), "Responses whose background tasks wait for a worker.", nil, nil),
			prom.NewDesc(name("background_workers"), "Background worker goroutines alive.", nil, nil),
			prom.NewDesc(name("background_workers_busy"), "Background workers running a task.", nil, nil),
			prom.NewDesc(name("background_workers_max"), "The most background workers the app runs at once.", nil, nil),
		},
	}
}

func (t *taskMetrics) collectors() []prom.Collector {
	return []prom.Collector{t.queued, t.completed, t.dropped, t.wait, t.run}
}

// TasksQueued implements nexios.TaskObserver.
func (t *taskMetrics) TasksQueued(n int) { t.queued.Add(float64(n)) }

// TasksDropped implements nexios.TaskObserver.
func (t *taskMetrics) TasksDropped(n int) { t.dropped.Add(float64(n)) }

// TaskDone implements nexios.TaskObserver.
func (t *taskMetrics) TaskDone(wait, run time.Duration, panicked bool) {
	outcome := "ok"
	if panicked {
		outcome = "panic"
	}
	t.completed.WithLabelValues(outcome).Inc()
	t.wait.Observe(wait.Seconds())
	t.run.Observe(run.Seconds())
}

// taskPoolCollector reads the pool's gauges at scrape time.
type taskPoolCollector struct {
	app   *nexios.App
	descs [4]*prom.Desc
}

func (c *taskPoolCollector) Describe(ch chan<- *prom.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *taskPoolCollector) Collect(ch chan<- prom.Metric) {
	st := c.app.TaskStats()
	for i, v := range []int{st.Queued, st.Workers, st.Busy, st.MaxWorkers} {
		ch <- prom.MustNewConstMetric(c.descs[i], prom.GaugeValue, float64(v))
	}
}
