package health_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/health"
)

// childEnv makes the test binary run drainChild instead of the tests: the
// drain test needs a real process that receives a real SIGTERM.
const childEnv = "NEXIOS_HEALTH_DRAIN_CHILD_ADDR"

const (
	drainDelay = time.Second
	slowFor    = 1500 * time.Millisecond
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(childEnv); addr != "" {
		os.Exit(drainChild(addr))
	}
	os.Exit(m.Run())
}

// drainChild serves an app with a drain delay on addr with Run, as a
// production main would, and exits 0 when Run returns cleanly.
func drainChild(addr string) int {
	app := nexios.New(nexios.Config{DrainDelay: drainDelay, ShutdownTimeout: 5 * time.Second})
	h, err := health.New(health.Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	h.Register(app)
	app.Get("/ping", func(_ *nexios.Request, res *nexios.Response) error { return res.Text("pong") })
	app.Get("/slow", func(_ *nexios.Request, res *nexios.Response) error {
		fmt.Println("slow started")
		time.Sleep(slowFor)
		return res.Text("slow done")
	})
	if err := app.Run(addr); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		return 1
	}
	fmt.Println("exited cleanly")
	return 0
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestDrainOnSIGTERM runs the app in a child process and checks the
// shutdown a load balancer sees: after SIGTERM, /readyz answers 503 within
// 100 ms while the server keeps serving new and in-flight requests for
// the drain delay, then it stops and the process exits 0.
func TestDrainOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+addr)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	client := &http.Client{Timeout: 10 * time.Second}
	base := "http://" + addr
	get := func(path string) (int, string, error) {
		resp, err := client.Get(base + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}

	// Wait until the child serves and is ready.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _, err := get("/readyz"); err == nil && code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("child never became ready; stderr: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	// An in-flight request, started before SIGTERM, outlasting the delay.
	type outcome struct {
		code int
		body string
		err  error
	}
	slow := make(chan outcome, 1)
	go func() {
		code, body, err := get("/slow")
		slow <- outcome{code, body, err}
	}()
	waitLine(t, lines, "slow started")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()
	// A fresh connection each poll, as a kubelet probe uses.
	probe := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		resp, err := probe.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("readyz after SIGTERM: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		if time.Since(signalled) > 100*time.Millisecond {
			t.Fatalf("readyz still %d %v after SIGTERM", resp.StatusCode, time.Since(signalled))
		}
		time.Sleep(2 * time.Millisecond)
	}
	if d := time.Since(signalled); d > 100*time.Millisecond {
		t.Fatalf("readyz turned 503 after %v, want within 100ms", d)
	}

	// During the drain delay the server still accepts and answers.
	resp, err := probe.Get(base + "/ping")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("new request during the drain delay: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, _, err := get("/livez"); err != nil || code != 200 {
		t.Fatalf("livez during the drain delay: %d %v", code, err)
	}

	o := <-slow
	if o.err != nil || o.code != 200 || o.body != "slow done" {
		t.Fatalf("in-flight request: %d %q %v", o.code, o.body, o.err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("child exit: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("child did not exit")
	}
	if elapsed := time.Since(signalled); elapsed < drainDelay {
		t.Errorf("child exited %v after SIGTERM, before the drain delay %v", elapsed, drainDelay)
	}
	if !sawLine(lines, "exited cleanly") {
		t.Error("child did not return from Run cleanly")
	}
	// And now nothing listens any more.
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Error("the server still accepts connections after exiting")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Logf("dial after exit: %v", err)
	}
}

func waitLine(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("child output ended before %q", want)
			}
			if l == want {
				return
			}
		case <-timeout:
			t.Fatalf("no %q from the child", want)
		}
	}
}

func sawLine(lines <-chan string, want string) bool {
	for l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
