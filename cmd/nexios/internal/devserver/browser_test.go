//go:build unix

package devserver

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	cws "github.com/coder/websocket"

	"github.com/nexios-go/nexios/internal/browsertest"
)

// TestDevInChromium opens the app in headless Chromium and leaves the page
// alone: a syntax error replaces it with the compiler's output, and the
// fix brings the app's page back — each time the page reloads by itself
// (the injected script and its event stream), the test only watches.
func TestDevInChromium(t *testing.T) {
	t.Parallel()
	bin := browsertest.Binary(t)
	dir := tinyApp(t, "before the error")
	d := startDev(t, dir)
	d.waitFor(t, "the first build", "/text", func(s int, b string) bool { return s == 200 })

	page := openPage(t, bin, d.base+"/")
	const heading = `document.getElementById("msg") ? document.getElementById("msg").textContent : document.title`
	page.waitFor(t, d, heading, func(v string) bool { return v == "before the error" })

	broken := strings.Replace(strings.ReplaceAll(tinyMain, "MESSAGE", "never served"), "func main() {", "func main() {\n\tx := ", 1)
	write(t, filepath.Join(dir, "main.go"), broken)
	const output = `document.getElementById("nexios-dev-output") ? document.getElementById("nexios-dev-output").textContent : ""`
	page.waitFor(t, d, output, func(v string) bool { return strings.Contains(v, "syntax error") && strings.Contains(v, "main.go") })

	write(t, filepath.Join(dir, "main.go"), strings.ReplaceAll(tinyMain, "MESSAGE", "after the fix"))
	page.waitFor(t, d, heading, func(v string) bool { return v == "after the fix" })
}

// cdpPage is one Chromium tab driven over the DevTools protocol.
type cdpPage struct {
	conn *cws.Conn
	next int64
}

// openPage starts headless Chromium (in its own process group, killed at
// the end) and opens pageURL in a tab.
func openPage(t *testing.T, bin, pageURL string) *cdpPage {
	t.Helper()
	args := append(browsertest.Flags(t.TempDir()), "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	endpoint := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if ws, ok := strings.CutPrefix(sc.Text(), "DevTools listening on "); ok {
				endpoint <- ws
			}
		}
	}()
	var devtools string
	select {
	case ws := <-endpoint:
		u, err := url.Parse(ws)
		if err != nil {
			t.Fatal(err)
		}
		devtools = "http://" + u.Host
	case <-time.After(30 * time.Second):
		t.Fatal("Chromium did not open its DevTools endpoint")
	}
	req, _ := http.NewRequest(http.MethodPut, devtools+"/json/new?"+url.QueryEscape(pageURL), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var target struct {
		WS string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(res.Body).Decode(&target); err != nil || target.WS == "" {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := cws.Dial(ctx, target.WS, nil)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadLimit(16 << 20)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &cdpPage{conn: conn}
}

// eval returns the value of a JavaScript expression in the page, as a
// string; "" while the page is between two documents.
func (p *cdpPage) eval(t *testing.T, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.next++
	id := p.next
	call, _ := json.Marshal(map[string]any{"id": id, "method": "Runtime.evaluate", "params": map[string]any{
		"expression": "(() => { try { return String(" + expr + "); } catch (e) { return ''; } })()", "returnByValue": true,
	}})
	if err := p.conn.Write(ctx, cws.MessageText, call); err != nil {
		t.Fatal(err)
	}
	for {
		_, data, err := p.conn.Read(ctx)
		if err != nil {
			t.Fatalf("evaluating %s: %v", expr, err)
		}
		var reply struct {
			ID     int64 `json:"id"`
			Result struct {
				Result struct {
					Value string `json:"value"`
				} `json:"result"`
			} `json:"result"`
		}
		if json.Unmarshal(data, &reply) == nil && reply.ID == id {
			return reply.Result.Result.Value
		}
	}
}

// waitFor evaluates expr until ok accepts its value, for up to a minute.
func (p *cdpPage) waitFor(t *testing.T, d *dev, expr string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		v := p.eval(t, expr)
		if ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page shows %q\ndev server output:\n%s", v, d.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
