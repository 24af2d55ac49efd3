package redis_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/nexios-go/nexios/redis"
)

// server is a redis-server of the test's own, to stop and start again on
// the same port (fault injection).
type server struct {
	t    testing.TB
	port int
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// startServer starts a redis-server on a free port, or skips the test
// when there is none on this machine (the shared Redis is not stopped by
// tests).
func startServer(t testing.TB) *server {
	t.Helper()
	if os.Getenv("NEXIOS_TEST_REDIS_URL") == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL is not set: the fault-injection tests run with the Redis tests")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed (apt-get install redis-server): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &server{t: t, port: port}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// URL returns the server's URL.
func (s *server) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.port) }

// Client opens a client to the server with short timeouts, as an app
// wanting quick failure detection would.
func (s *server) Client() *redis.Client {
	c, err := redis.Open(s.URL() + "?dial_timeout=200ms&read_timeout=500ms&write_timeout=500ms&max_retries=0&dialer_retries=1&pool_timeout=600ms")
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Start starts the server and waits until it answers.
func (s *server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmd = launchRedis(s.t, "", s.port)
}

// launchRedis starts redis-server on port (with args first: a config
// file, options), keeping nothing on disk, in dir ("" for the current
// one), and waits until it accepts connections. It is killed when the
// test ends, if it is still running.
func launchRedis(t testing.TB, dir string, port int, args ...string) *exec.Cmd {
	t.Helper()
	args = append(args, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--loglevel", "warning")
	if dir != "" {
		args = append(args, "--dir", dir)
	}
	cmd := exec.Command("redis-server", args...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	eventually(t, 5*time.Second, fmt.Sprintf("redis-server on port %d to answer", port), func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
	return cmd
}

// Stop kills the server (as a crash would) and waits for it to exit.
func (s *server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// eventually polls cond every 10 ms until it holds, failing after d.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var bg = context.Background()
