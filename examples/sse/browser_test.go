package main

import (
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// dumpDOM loads url in headless Chromium; see browsertest.DumpDOM.
func dumpDOM(t *testing.T, url string, budget time.Duration) string {
	t.Helper()
	return browsertest.DumpDOM(t, url, budget)
}
