package health

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
)

// answer is an application/health+json document.
type answer struct {
	Status string                    `json:"status"`
	Notes  []string                  `json:"notes,omitempty"`
	Checks map[string][]checkOutcome `json:"checks,omitempty"`
}

// checkOutcome is one check in a verbose answer.
type checkOutcome struct {
	Status        string    `json:"status"`
	ObservedValue float64   `json:"observedValue"`
	ObservedUnit  string    `json:"observedUnit"`
	Time          time.Time `json:"time"`
	Output        string    `json:"output,omitempty"`
}

// result is one run of the readiness checks.
type result struct {
	status string
	checks map[string][]checkOutcome
}

func write(res *nexios.Response, status int, a *answer) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("health: encoding the answer: %w", err)
	}
	res.Header().Set("Cache-Control", "no-store")
	res.Status(status)
	return res.Bytes(ContentType, b)
}

// result returns a cached result when fresh, else runs the checks; a
// probe arriving during a run waits for it instead of starting another.
func (h *Health) result(ctx context.Context) *result {
	for {
		h.mu.Lock()
		if h.cached != nil && time.Now().Before(h.expires) {
			r := h.cached
			h.mu.Unlock()
			return r
		}
		if wait := h.running; wait != nil {
			h.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return &result{status: Fail}
			}
		}
		done := make(chan struct{})
		h.running = done
		h.mu.Unlock()

		// The run is shared: it must not end because the probe that
		// started it went away.
		r := h.run(context.WithoutCancel(ctx))
		h.mu.Lock()
		if h.cfg.CacheTTL > 0 {
			h.cached, h.expires = r, time.Now().Add(h.cfg.CacheTTL)
		}
		h.running = nil
		close(done)
		h.mu.Unlock()
		return r
	}
}

// run runs every check concurrently, each under its timeout.
func (h *Health) run(ctx context.Context) *result {
	r := &result{status: Pass, checks: make(map[string][]checkOutcome, len(h.checks))}
	outcomes := make([]checkOutcome, len(h.checks))
	var wg sync.WaitGroup
	for i, c := range h.checks {
		wg.Go(func() { outcomes[i] = runCheck(ctx, c) })
	}
	wg.Wait()
	for i, c := range h.checks {
		o := outcomes[i]
		if o.Status == Fail && c.Optional {
			o.Status = Warn
		}
		switch {
		case o.Status == Fail:
			r.status = Fail
		case o.Status == Warn && r.status == Pass:
			r.status = Warn
		}
		r.checks[c.Name] = []checkOutcome{o}
	}
	return r
}

// runCheck runs c, turning a panic into a failure and giving up at its
// timeout even if the function ignores its context.
func runCheck(ctx context.Context, c Check) checkOutcome {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				errc <- fmt.Errorf("health: check %q panicked: %v", c.Name, v)
			}
		}()
		errc <- c.Check(ctx)
	}()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		err = fmt.Errorf("health: check %q: no answer within %s", c.Name, c.Timeout)
	}
	o := checkOutcome{
		Status:        Pass,
		ObservedValue: float64(time.Since(start).Microseconds()) / 1000,
		ObservedUnit:  "ms",
		Time:          start.UTC(),
	}
	if err != nil {
		o.Status, o.Output = Fail, err.Error()
	}
	return o
}
