package prometheus

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
)

// Listen serves the metrics on a separate listener at addr (":9090",
// "127.0.0.1:9090") from the app's start-up to its shutdown: a port that
// only the cluster network or the node reaches, without touching the
// app's routes or authentication. A failure of this listener — the port
// is taken, the address is wrong — is logged and never stops the app:
// metrics are not worth an outage. The handler serves GET /metrics (and
// every other path: scrapers are configured with a path).
func (m *Metrics) Listen(app *nexios.App, addr string) {
	l := &listener{addr: addr, handler: m.Handler(), logger: app.Logger()}
	app.OnStartup(l.start)
	app.OnShutdown(l.stop)
}

type listener struct {
	addr    string
	handler http.Handler
	logger  *slog.Logger

	mu   sync.Mutex
	srv  *http.Server
	done chan struct{}
}

func (l *listener) start(ctx context.Context) error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		l.logger.LogAttrs(ctx, slog.LevelError, "prometheus: metrics listener not started; the app runs without it",
			slog.String("addr", l.addr), slog.Any("error", err))
		return nil
	}
	srv := &http.Server{
		Handler:           l.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(l.logger.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	l.mu.Lock()
	l.srv, l.done = srv, done
	l.mu.Unlock()
	l.logger.LogAttrs(ctx, slog.LevelInfo, "prometheus: serving metrics", slog.String("addr", ln.Addr().String()))
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.logger.LogAttrs(context.Background(), slog.LevelError, "prometheus: metrics listener failed; the app runs without it",
				slog.String("addr", l.addr), slog.Any("error", err))
		}
	}()
	return nil
}

func (l *listener) stop(ctx context.Context) error {
	l.mu.Lock()
	srv, done := l.srv, l.done
	l.srv, l.done = nil, nil
	l.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
	}
	<-done
	return nil
}
