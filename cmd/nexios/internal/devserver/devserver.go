// Package devserver is nexios dev: it builds the app, runs it behind a
// small reverse proxy, and on every change rebuilds and restarts it.
//
//   - Files are watched with fsnotify (new directories included; .git,
//     vendor, node_modules, testdata, hidden and "_" directories, test
//     files and editors' swap files ignored); a burst of events makes one
//     change once Debounce has passed without another.
//   - A Go change is built with go build into a temporary directory while
//     the old process still serves; then the old process group gets
//     SIGTERM (SIGKILL after StopTimeout) and the new binary starts, with
//     ADDR (and PORT) set to a private address and NEXIOS_DEV=1.
//   - The proxy holds requests while a build runs, forwards them once the
//     app accepts connections, shows the compiler's output while the
//     build is broken (and the app's output when it crashed), and adds a
//     script to HTML pages that reloads them when the app is back.
//   - A change under a Live directory (templates, static files: the app
//     reads them from disk when NEXIOS_DEV=1) only reloads the pages.
//   - When the context ends the app's process group is stopped the same
//     way and the temporary directory removed; on Linux the app also gets
//     SIGTERM if nexios dev itself dies.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// Config configures a dev server.
type Config struct {
	// Dir is the project's root (default ".").
	Dir string
	// Addr is where the proxy listens (default 127.0.0.1:8000; port 0
	// picks one, see Server.Addr).
	Addr string
	// Package is the main package to build (default ".").
	Package string
	// BuildFlags are go build's flags. Default: -ldflags=-s -w (no
	// symbol table or DWARF: a faster link; panics still print file and
	// line) and -gcflags=MODULE/...=-N -l for the project's own packages
	// only (no optimisation or inlining: they compile faster, and
	// debuggers see every variable); dependencies stay optimised and
	// cached. With the default flags, while the app's DATABASE_URL is a
	// SQLite URL (in the environment or the .env files), the build adds
	// -tags=nexios_sqlite, which leaves PostgreSQL's drivers out: a
	// smaller binary, linked faster.
	BuildFlags []string
	// Args are the app's command-line arguments.
	Args []string
	// Env is added to the app's environment (and the build's).
	Env []string
	// Live are directories, relative to Dir, whose changes only reload
	// the pages (default web/templates and web/static).
	Live []string
	// Ignore are more directory names never watched.
	Ignore []string
	// Debounce is the quiet time that ends a burst of file events
	// (default 50ms: an editor's save is a burst of a few milliseconds).
	Debounce time.Duration
	// StopTimeout is how long the app may take to stop after SIGTERM
	// before it is killed (default 5s).
	StopTimeout time.Duration
	// StartTimeout is how long the app may take to accept connections
	// (default 30s).
	StartTimeout time.Duration
	// Output receives the app's output and the dev server's messages
	// (default os.Stderr).
	Output io.Writer
	// Logger receives the dev server's messages (default: text on
	// Output).
	Logger *slog.Logger
}

// Server is a dev server, listening from New on.
type Server struct {
	cfg   Config
	ln    net.Listener
	app   string // the app's private address
	st    *status
	log   *slog.Logger
	w     *watcher
	build *builder
}

// New checks cfg, starts watching and listens on Addr; Run does the rest.
func New(cfg Config) (*Server, error) {
	if cfg.Dir == "" {
		cfg.Dir = "."
	}
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return nil, fmt.Errorf("devserver: %s has no go.mod: run nexios dev in the project's root", dir)
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:8000"
	}
	if cfg.Package == "" {
		cfg.Package = "."
	}
	auto := cfg.BuildFlags == nil
	if auto {
		cfg.BuildFlags = []string{"-ldflags=-s -w"}
		if mod := modulePath(filepath.Join(dir, "go.mod")); mod != "" {
			cfg.BuildFlags = append(cfg.BuildFlags, "-gcflags="+mod+"/...=-N -l")
		}
	}
	if cfg.Live == nil {
		cfg.Live = []string{"web/templates", "web/static"}
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 50 * time.Millisecond
	}
	if cfg.StopTimeout <= 0 {
		cfg.StopTimeout = 5 * time.Second
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	if cfg.Output == nil {
		cfg.Output = os.Stderr
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(cfg.Output, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	appAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	w, err := newWatcher(dir, cfg.Ignore, cfg.Live, cfg.Debounce, log)
	if err != nil {
		return nil, fmt.Errorf("devserver: watching %s: %w", dir, err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		_ = w.fs.Close()
		return nil, fmt.Errorf("devserver: %w", err)
	}
	return &Server{cfg: cfg, ln: ln, app: appAddr, st: newStatus(), log: log, w: w,
		build: &builder{dir: dir, pkg: cfg.Package, flags: cfg.BuildFlags, auto: auto, env: cfg.Env}}, nil
}

// modulePath is the module path go.mod declares, or "".
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	return modfile.ModulePath(data)
}

// freeAddr returns a loopback address with a port free now, for the app.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("devserver: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Addr is the address the proxy listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Run builds and runs the app, serves the proxy and follows changes
// until ctx ends; then it stops the app and returns nil. A failed build
// or a crashed app is shown in the browser, not returned.
func (s *Server) Run(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "nexios-dev-")
	if err != nil {
		_ = s.ln.Close()
		return fmt.Errorf("devserver: %w", err)
	}
	defer os.RemoveAll(tmp)
	s.build.out = tmp

	srv := &http.Server{Handler: newProxy(s.st, s.log, s.cfg.StartTimeout+2*time.Minute), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(s.ln) }()
	s.log.Info("nexios dev", "url", "http://"+s.Addr(), "app", s.app, "dir", s.cfg.Dir)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes := make(chan change)
	watched := make(chan struct{})
	go func() { s.w.run(ctx, changes); close(watched) }()

	var cur *process
	cur = s.rebuild(ctx, cur, nil)
	for done := false; !done; {
		var exited <-chan struct{}
		if cur != nil {
			exited = cur.done
		}
		select {
		case <-ctx.Done():
			done = true
		case c := <-changes:
			switch {
			case c.rebuild:
				cur = s.rebuild(ctx, cur, c.paths)
			case c.reload:
				s.log.Info("reloading pages", "changed", strings.Join(c.paths, " "))
				s.st.reload()
			}
		case <-exited:
			s.log.Warn("the app exited", "status", cur.err)
			if s.st.get().phase != failed { // a broken build says more than the old app's end
				s.st.set(crashed, crashOutput(cur, nil), "")
			}
			cur = nil
		}
	}
	if cur != nil {
		cur.stop(s.cfg.StopTimeout)
	}
	sctx, scancel := context.WithTimeout(context.Background(), time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx) // event streams end with their requests' contexts
	_ = srv.Close()
	<-watched
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("devserver: %w", err)
	}
	return nil
}

// rebuild builds the app and, when the build succeeds, replaces the
// running process (nil for none) with the new binary. It returns the
// process that runs afterwards: the new one, the old one when the build
// failed, or nil.
func (s *Server) rebuild(ctx context.Context, cur *process, changed []string) *process {
	began := time.Now()
	if len(changed) > 0 {
		s.log.Info("rebuilding", "changed", strings.Join(changed, " "))
	}
	s.st.set(building, "", "")
	bin, output, err := s.build.build(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return cur
		}
		s.log.Error("build failed: the browser shows the compiler's output until the next change")
		fmt.Fprintln(s.cfg.Output, output)
		s.st.set(failed, output, "")
		return cur
	}
	if cur != nil {
		cur.stop(s.cfg.StopTimeout)
		_ = os.Remove(cur.cmd.Path)
	}
	_, port, _ := net.SplitHostPort(s.app)
	env := append([]string{"ADDR=" + s.app, "PORT=" + port, "NEXIOS_DEV=1"}, s.cfg.Env...)
	next, err := start(bin, s.cfg.Dir, s.cfg.Args, env, s.cfg.Output)
	if err != nil {
		s.st.set(crashed, err.Error(), "")
		return nil
	}
	if err := next.waitListening(ctx, s.app, s.cfg.StartTimeout); err != nil {
		if ctx.Err() != nil {
			return next
		}
		s.log.Error("the app did not start", "error", err)
		next.stop(s.cfg.StopTimeout)
		s.st.set(crashed, crashOutput(next, err), "")
		return nil
	}
	s.st.set(running, "", s.app)
	s.log.Info("serving", "url", "http://"+s.Addr(), "took", time.Since(began).Round(time.Millisecond).String(), "pid", strconv.Itoa(next.cmd.Process.Pid))
	return next
}

// crashOutput is what the page shows for a process that ended or never
// listened: why, and the end of its output.
func crashOutput(p *process, why error) string {
	msg := ""
	if why != nil {
		msg = why.Error() + "\n\n"
	} else if p.err != nil {
		msg = "exit: " + p.err.Error() + "\n\n"
	}
	return msg + p.tail.String()
}
