package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer collects a process's output for the failure report.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// proc is a process the test started.
type proc struct {
	name string
	addr string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{}
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProc starts a command, stops it when the test ends, and prints its
// output when the test failed.
func startProc(t *testing.T, name, addr string, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{name: name, addr: addr, cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if strings.Contains(p.out.String(), "WARNING: DATA RACE") {
			t.Errorf("the race detector found a data race in %s", name)
		}
		if t.Failed() {
			t.Logf("output of %s:\n%s", name, p.out)
		}
	})
	return p
}

// stop ends the process gracefully (SIGTERM), or kills it after five
// seconds.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.kill()
	}
}

// kill ends the process at once (SIGKILL): a crash.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// waitHealthy polls url until it answers 200.
func waitHealthy(t *testing.T, p *proc, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited:\n%s", p.name, p.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not healthy at %s after 15s (last: %v):\n%s", p.name, url, err, p.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// buildBinary builds this command into a temporary directory, with the
// race detector when the test has it.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "scaleout")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// haproxyConfig is a round-robin balancer over the instances with health
// checks every 200 ms (a dead instance is out after two failures; a check
// may wait a second, for an instance busy with a burst), retrying a
// request that failed on a dead instance on another (redispatch) — which
// is what routes around a killed instance before its checks fail.
func haproxyConfig(front string, backends []*proc) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, `global
  maxconn 4096
defaults
  mode http
  maxconn 4096
  timeout connect 1s
  timeout check 1s
  timeout client 30s
  timeout server 30s
  timeout tunnel 1h
  retries 3
  option redispatch 1
  retry-on all-retryable-errors
  option forwardfor
frontend fe
  bind %s
  default_backend app
backend app
  balance roundrobin
  option httpchk GET /healthz
  default-server inter 200ms fall 2 rise 1
`, front)
	for _, p := range backends {
		fmt.Fprintf(&b, "  server %s %s check\n", p.name, p.addr)
	}
	return b.String()
}

// startHAProxy runs HAProxy in the foreground with cfg.
func startHAProxy(t *testing.T, bin, front, cfg string) *proc {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
	return startProc(t, "haproxy", front, exec.Command(bin, "-db", "-f", path))
}
