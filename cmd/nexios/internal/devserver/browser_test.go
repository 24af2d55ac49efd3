//go:build unix

package devserver

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// TestDevInChromium opens the app in headless Chromium and leaves the page
// alone: a syntax error replaces it with the compiler's output, and the
// fix brings the app's page back — each time the page reloads by itself
// (the injected script and its event stream), the test only watches.
func TestDevInChromium(t *testing.T) {
	t.Parallel()
	browser := browsertest.Start(t)
	dir := tinyApp(t, "before the error")
	d := startDev(t, dir)
	d.waitFor(t, "the first build", "/text", func(s int, b string) bool { return s == 200 })

	page := browser.NewPage(d.base + "/")
	const heading = `document.getElementById("msg") ? document.getElementById("msg").textContent : document.title`
	waitFor(t, page, d, heading, func(v string) bool { return v == "before the error" })

	broken := strings.Replace(strings.ReplaceAll(tinyMain, "MESSAGE", "never served"), "func main() {", "func main() {\n\tx := ", 1)
	write(t, filepath.Join(dir, "main.go"), broken)
	const output = `document.getElementById("nexios-dev-output") ? document.getElementById("nexios-dev-output").textContent : ""`
	waitFor(t, page, d, output, func(v string) bool { return strings.Contains(v, "syntax error") && strings.Contains(v, "main.go") })

	write(t, filepath.Join(dir, "main.go"), strings.ReplaceAll(tinyMain, "MESSAGE", "after the fix"))
	waitFor(t, page, d, heading, func(v string) bool { return v == "after the fix" })
}

// waitFor evaluates expr until ok accepts its value, for up to a minute.
func waitFor(t *testing.T, p *browsertest.Page, d *dev, expr string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		v := p.String(expr)
		if ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page shows %q\ndev server output:\n%s", v, d.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
