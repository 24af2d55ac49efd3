package prometheus

import (
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
)

// Middleware returns the HTTP metrics middleware. Install it with
// app.Use, early, so that it times the whole chain and sees every
// request, unmatched ones included. A request is recorded with the
// status the client received: when an error travels up, after the app
// rendered it.
func (m *Metrics) Middleware() nexios.Middleware {
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			if m.cfg.Skip != nil && m.cfg.Skip(req) {
				return next(req, res)
			}
			start := time.Now()
			m.inFlight.Inc()
			finished := false
			defer func() {
				if !finished { // a panic unwinds: the core answers 500
					m.record(req, res, http.StatusInternalServerError, start)
				}
			}()
			err := next(req, res)
			finished = true
			if err != nil && !res.Committed() {
				req.Defer(func() { m.record(req, res, res.StatusCode(), start) })
				return err
			}
			m.record(req, res, res.StatusCode(), start)
			return err
		}
	}
}

func (m *Metrics) record(req *nexios.Request, res *nexios.Response, status int, start time.Time) {
	d := time.Since(start)
	m.inFlight.Dec()
	route := req.Pattern()
	if route == "" {
		route = Unmatched
	}
	s := m.lookup(seriesKey{route: route, method: method(req.Method()), code: status})
	s.duration.Observe(d.Seconds())
	s.size.Observe(float64(res.Size()))
}

// method bounds the method label: a client may send any token as a
// method, which must not create series.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}
