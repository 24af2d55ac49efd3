package cli_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/docsui"
)

// servedApp answers /hello, has OpenAPI pages, and counts its start-up
// and shutdown hooks.
func servedApp(t *testing.T, started, stopped *atomic.Int32) *nexios.App {
	t.Helper()
	app := nexios.New(nexios.Config{Title: "Greeter", Version: "1.2.3"})
	app.Get("/hello", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("hello") })
	app.Get("/slow", func(_ *nexios.Request, res *nexios.Response) error {
		time.Sleep(300 * time.Millisecond)
		return res.Text("done")
	})
	app.Get("/boom", func(*nexios.Request, *nexios.Response) error { panic("boom") })
	if err := openapi.Register(app, openapi.Config{UI: []openapi.UI{docsui.SwaggerUI("")}}); err != nil {
		t.Fatal(err)
	}
	app.OnStartup(func(context.Context) error { started.Add(1); return nil })
	app.OnShutdown(func(context.Context) error { stopped.Add(1); return nil })
	return app
}

var listenRE = regexp.MustCompile(`Listening on\s+(\S+)`)

// waitFor polls the buffer until re matches.
func waitFor(t *testing.T, buf *syncBuffer, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(buf.String()); m != nil {
			return m
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s in %q", re, buf.String())
	return nil
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServePrintsWhereAndStopsGracefully(t *testing.T) {
	t.Parallel()
	var started, stopped atomic.Int32
	app := servedApp(t, &started, &stopped)
	cmd := cli.Command(app, cli.Name("app"), cli.Addr("127.0.0.1:0"))
	var out, errOut syncBuffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(nil) // no command: serve
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	base := waitFor(t, &out, listenRE)[1]
	if status, body := get(t, base+"/hello"); status != 200 || body != "hello" {
		t.Fatalf("GET /hello: %d %q", status, body)
	}
	for _, want := range []string{"Greeter 1.2.3 (environment: ", "API docs      " + base + "/docs\n", "OpenAPI       " + base + "/openapi.json\n", "Press Ctrl+C to stop."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("start-up output lacks %q:\n%s", want, out.String())
		}
	}
	if status, _ := get(t, base+"/docs"); status != 200 {
		t.Errorf("the docs URL printed answers %d", status)
	}
	if started.Load() != 1 {
		t.Errorf("start-up hooks ran %d times", started.Load())
	}

	// A request in flight finishes during the graceful shutdown.
	slow := make(chan string, 1)
	go func() { _, body := get(t, base+"/slow"); slow <- body }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if body := <-slow; body != "done" {
		t.Errorf("the request in flight got %q", body)
	}
	if stopped.Load() != 1 {
		t.Errorf("shutdown hooks ran %d times", stopped.Load())
	}
	if !strings.Contains(out.String(), "Shutting down (cancelled): requests in flight have up to 15s to finish.\nStopped.\n") {
		t.Errorf("shutdown output:\n%s", out.String())
	}
}

func TestServeJSONLogs(t *testing.T) {
	t.Setenv("NEXIOS_ENV", "staging")
	var started, stopped atomic.Int32
	app := servedApp(t, &started, &stopped)
	cmd := cli.Command(app, cli.Name("app"))
	var out, errOut syncBuffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	url := waitFor(t, &errOut, regexp.MustCompile(`"msg":"nexios: ready".*"url":"([^"]+)"`))[1]
	if status, _ := get(t, url+"/boom"); status != 500 {
		t.Errorf("GET /boom: %d", status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if out.String() != "" {
		t.Errorf("JSON mode printed text on stdout: %q", out.String())
	}
	var msgs []string
	sc := bufio.NewScanner(strings.NewReader(errOut.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", sc.Text())
		}
		msgs = append(msgs, rec["msg"].(string))
		if rec["msg"] == "nexios: ready" && (rec["env"] != "staging" || rec["docs"] != url+"/docs") {
			t.Errorf("ready record: %v", rec)
		}
	}
	joined := strings.Join(msgs, "|")
	for _, want := range []string{"nexios: serving", "nexios: ready", "shutting down", "nexios: stopped"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %q record in %v", want, msgs)
		}
	}
	if !strings.Contains(errOut.String(), `"level":"ERROR"`) || !strings.Contains(errOut.String(), "boom") {
		t.Errorf("the app's panic was not logged through the JSON handler:\n%s", errOut.String())
	}
}

func TestServeErrors(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"bad address", []string{"serve", "--addr", "nonsense"}, 1, "listen on nonsense"},
		{"cert without key", []string{"serve", "--tls-cert", "c.pem"}, 2, "--tls-cert and --tls-key go together"},
		{"missing cert", []string{"serve", "--tls-cert", "nope.pem", "--tls-key", "nope.key"}, 1, "loading the TLS certificate"},
		{"bad log format", []string{"serve", "--log-format", "xml"}, 2, `--log-format "xml"`},
		{"argument", []string{"serve", "extra"}, 2, `unknown command "extra"`},
	}
	for _, c := range cases {
		r := run(t, servedApp(t, &n, &n), nil, c.args...)
		if r.code != c.code || r.err == nil || !strings.Contains(r.err.Error(), c.msg) {
			t.Errorf("%s: code %d, err %v; want %d and %q", c.name, r.code, r.err, c.code, c.msg)
		}
	}
}

func TestServeTLS(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	app := servedApp(t, &n, &n)
	cert, key := selfSigned(t)
	cmd := cli.Command(app, cli.Name("app"), cli.Addr("127.0.0.1:0"), cli.TLS(cert, key))
	var out syncBuffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	base := waitFor(t, &out, listenRE)[1]
	if !strings.HasPrefix(base, "https://localhost:") && !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Errorf("URL %q", base)
	}
	// The test's self-signed certificate is not trusted.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}}
	res, err := client.Get(base + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	client.CloseIdleConnections()
	if res.StatusCode != 200 || res.ProtoMajor != 2 {
		t.Errorf("GET over TLS: %d %s", res.StatusCode, res.Proto)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestServeExitsZeroOnSIGTERM runs the test binary as the app (see
// TestMain), sends it SIGTERM with a request in flight, and expects the
// request answered, the shutdown line and exit status 0.
func TestServeExitsZeroOnSIGTERM(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), helperEnv+"=serve")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, stdout); close(copied) }()
	base := waitFor(t, &out, listenRE)[1]
	slow := make(chan string, 1)
	go func() { _, body := get(t, base+"/slow"); slow <- body }()
	time.Sleep(100 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-copied
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), stderr.String())
	}
	if body := <-slow; body != "done" {
		t.Errorf("the request in flight got %q", body)
	}
	if !strings.Contains(out.String(), "Shutting down (terminated signal received)") || !strings.HasSuffix(out.String(), "Stopped.\n") {
		t.Errorf("stdout:\n%s", out.String())
	}
}
