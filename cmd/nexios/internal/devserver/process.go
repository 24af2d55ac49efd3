package devserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"time"
)

// process is one run of the app's binary, in its own process group so
// that stopping it stops whatever it started.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its exit status, once done
	tail *tailBuffer   // the end of its output, for the crash page
}

// start runs bin with args and env in dir; its output goes to out and to
// the process's tail.
func start(bin, dir string, args, env []string, out io.Writer) (*process, error) {
	p := &process{done: make(chan struct{}), tail: &tailBuffer{max: 8 << 10}}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	w := io.MultiWriter(out, p.tail)
	cmd.Stdout, cmd.Stderr = w, w
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the app: %w", err)
	}
	p.cmd = cmd
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the process group to end (SIGTERM), waits up to timeout,
// then kills the group. It returns once the process was reaped.
func (p *process) stop(timeout time.Duration) {
	if p.exited() {
		killGroup(p.cmd, true) // children it left behind
		return
	}
	killGroup(p.cmd, false)
	select {
	case <-p.done:
	case <-time.After(timeout):
		killGroup(p.cmd, true)
		<-p.done
	}
	killGroup(p.cmd, true) // children that ignored the signal
}

// errNotListening is the cause when the app exits or never listens.
var errNotListening = errors.New("the app is not listening")

// waitListening polls addr until it accepts a connection, the process
// exits, timeout passes or ctx ends.
func (p *process) waitListening(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var d net.Dialer
	for {
		dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		c, err := d.DialContext(dctx, "tcp", addr)
		cancel()
		if err == nil {
			_ = c.Close()
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%w: it exited (%v)", errNotListening, p.err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: nothing accepts connections on %s after %s: does the app listen on $ADDR (or $PORT)?", errNotListening, addr, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.done:
		case <-time.After(15 * time.Millisecond):
		}
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
		if i := bytes.IndexByte(t.buf, '\n'); i >= 0 {
			t.buf = t.buf[i+1:]
		}
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
