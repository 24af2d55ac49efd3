package nexios

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Server returns an *http.Server for the app with the configured limits:
// ReadHeaderTimeout 10s, ReadTimeout 60s, no WriteTimeout (streams and
// downloads must not be cut), IdleTimeout 120s and 1 MiB of headers.
func (a *App) Server() *http.Server {
	c := a.cfg
	return &http.Server{
		Handler:           a,
		ReadHeaderTimeout: orDuration(c.ReadHeaderTimeout, 10*time.Second),
		ReadTimeout:       orDuration(c.ReadTimeout, 60*time.Second),
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       orDuration(c.IdleTimeout, 120*time.Second),
		MaxHeaderBytes:    orInt(c.MaxHeaderBytes, 1<<20),
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
}

func orDuration(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func orInt(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// Run serves the app on addr ("127.0.0.1:5000") until SIGINT or SIGTERM,
// then shuts down gracefully. See Serve.
func (a *App) Run(addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("nexios: listen on %s: %w", addr, err)
	}
	return a.Serve(ctx, ln)
}

// Serve runs the start-up hooks, serves on ln until ctx is done, then stops
// accepting connections, lets in-flight requests finish (up to
// Config.ShutdownTimeout, default 15s) and runs the shutdown hooks. Request
// contexts are not cancelled by ctx: they end when their request does.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	if err := a.Startup(ctx); err != nil {
		ln.Close()
		return err
	}
	srv := a.Server()
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	a.logger.LogAttrs(ctx, slog.LevelInfo, "nexios: serving", slog.String("addr", ln.Addr().String()), slog.String("app", a.cfg.Title))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	var serveErr error
	served := false
	select {
	case serveErr = <-errc:
		served = true
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), orDuration(a.cfg.ShutdownTimeout, 15*time.Second))
	defer cancel()
	var shutdownErr error
	if err := srv.Shutdown(shutdownCtx); err != nil {
		shutdownErr = fmt.Errorf("nexios: graceful shutdown: %w", err)
		srv.Close()
	}
	if !served {
		serveErr = <-errc // Serve returns once Shutdown closed the listener
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, shutdownErr, a.Shutdown(shutdownCtx))
}
