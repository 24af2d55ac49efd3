package leaktest

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = format
	if len(args) > 1 {
		r.failed = args[1].(string)
	}
}

func parked(stop chan struct{}) { <-stop }

func TestCheckFindsALeak(t *testing.T) {
	stop := make(chan struct{})
	r := &recorder{TB: t}
	verify := Check(r)
	go parked(stop)
	verify()
	close(stop)
	if !strings.Contains(r.failed, "leaktest.parked") {
		t.Fatalf("the parked goroutine was not reported: %q", r.failed)
	}
	// Once it ended, nothing is reported.
	r2 := &recorder{TB: t}
	verify2 := Check(r2)
	done := make(chan struct{})
	go func() { close(done) }()
	<-done
	verify2()
	if r2.failed != "" {
		t.Fatalf("reported after the goroutine ended: %q", r2.failed)
	}
}
