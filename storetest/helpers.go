package storetest

import (
	"crypto/rand"
	"sync"
	"testing"
	"time"
)

// unique returns a key no other test uses, so that a store shared by
// parallel subtests (or left over from an earlier run) does not interfere.
func unique(prefix string) string { return "storetest-" + prefix + "-" + rand.Text() }

// together runs f(i) for i in [0, n) on n goroutines released at once,
// and waits for them.
func together(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// sleepUntil sleeps until t.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }

// ms truncates t to the millisecond, the precision stores must keep.
func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// timed runs a scenario whose assertions hold only if the store answers
// within the scenario's deadlines (a window that must not have ended
// yet). The scenario returns false when a call came back after its
// deadline, so that what it returned proves nothing; it is then run
// again, on fresh keys, up to three times: a loaded machine (a CI run
// with every package testing at once) makes a call slow now and then,
// and a slow call must not fail a correct store.
func timed(t *testing.T, scenario func() bool) {
	t.Helper()
	for range 3 {
		if scenario() {
			return
		}
		t.Log("a call came back after its deadline: running the scenario again")
	}
	t.Fatal("the store never answered within the scenario's deadlines (three tries)")
}
