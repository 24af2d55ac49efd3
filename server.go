package nexios

import (
	"context"
	"crypto/tls"
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

// Defaults of the server limits (Config fields of the same names).
const (
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultShutdownTimeout   = 15 * time.Second
	DefaultWriteStallTimeout = 30 * time.Second
)

// Server returns an *http.Server for the app with the configured limits:
// ReadHeaderTimeout 10s, ReadTimeout 60s, no WriteTimeout (streams and
// downloads must not be cut; WriteStallTimeout cuts clients that stop
// reading instead), IdleTimeout 120s and 64 KiB of headers; HTTP/2 over
// TLS, and without TLS when Config.H2C is set. Its Shutdown begins the
// app's draining (see Draining).
//
// Run, Serve, RunTLS and ServeTLS use it and add the connection-level
// guards (closing connections that carried a request with both
// Content-Length and Transfer-Encoding, bounding the last bytes of a
// response to a stalled client), which a server built from this one and
// started with its own Serve does not have.
func (a *App) Server() *http.Server {
	c := a.cfg
	g := newGuard(a, durationOr(c.WriteStallTimeout, DefaultWriteStallTimeout))
	srv := &http.Server{
		Handler:           g,
		ReadHeaderTimeout: durationOr(c.ReadHeaderTimeout, DefaultReadHeaderTimeout),
		ReadTimeout:       durationOr(c.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       durationOr(c.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    intOr(c.MaxHeaderBytes, DefaultMaxHeaderBytes),
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		ConnContext:       connContext,
		ConnState:         g.hooks.connState,
	}
	if c.H2C {
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		srv.Protocols = &p
	}
	srv.RegisterOnShutdown(a.hooks.drain.begin)
	return srv
}

// drainDelay fails readiness (Stopping) and keeps serving for
// Config.DrainDelay, so that load balancers take the instance out of
// rotation before it stops accepting connections. It reports whether the
// server stopped by itself meanwhile (its error in *serveErr).
func (a *App) drainDelay(errc <-chan error, serveErr *error) bool {
	a.hooks.drain.beginStopping()
	if a.cfg.DrainDelay <= 0 {
		return false
	}
	a.logger.LogAttrs(context.Background(), slog.LevelInfo, "nexios: draining: readiness fails, still serving",
		slog.Duration("drain_delay", a.cfg.DrainDelay))
	t := time.NewTimer(a.cfg.DrainDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return false
	case *serveErr = <-errc:
		return true
	}
}

// durationOr returns d, def when d is zero, and 0 (off) when d is
// negative.
func durationOr(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

func intOr(n, def int) int {
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

// RunTLS serves the app over TLS on addr (":443") with the certificate
// chain in certFile and its key in keyFile (PEM), until SIGINT or SIGTERM,
// then shuts down gracefully. HTTP/2 is negotiated with clients that
// support it. See ServeTLS for other certificate sources (autocert, a
// GetCertificate function).
func (a *App) RunTLS(addr, certFile, keyFile string) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("nexios: loading the TLS certificate: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("nexios: listen on %s: %w", addr, err)
	}
	return a.ServeTLS(ctx, ln, &tls.Config{Certificates: []tls.Certificate{cert}})
}

// Serve runs the start-up hooks, serves on ln until ctx is done, then shuts
// down gracefully:
//
//  0. Stopping is cancelled (readiness fails) and, for Config.DrainDelay
//     (default 0), the server goes on serving, so that load balancers
//     stop sending it requests before it stops accepting them;
//  1. it stops accepting connections and begins draining: the Draining
//     context is cancelled, so streams and SSE responses end cleanly and
//     every WebSocket receives a 1001 (going away) close frame;
//  2. in-flight requests finish, and tracked connections (WebSockets)
//     close, up to Config.ShutdownTimeout (default 15s);
//  3. the shutdown hooks run.
//
// Ordinary request contexts are not cancelled by ctx: they end when their
// request does. ln serves HTTP/1.1, and HTTP/2 without TLS when
// Config.H2C is set; for TLS use ServeTLS (a listener from tls.NewListener
// negotiates HTTP/2 only if its config offers "h2", and it bypasses the
// connection-level guards).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	return a.serveOn(ctx, ln, nil)
}

// ServeTLS is Serve over TLS: it accepts TCP connections on ln and
// performs the TLS handshake with cfg, offering HTTP/2 and HTTP/1.1 by ALPN.
// cfg (cloned) provides the certificates: Certificates, GetCertificate
// (golang.org/x/crypto/acme/autocert's Manager.TLSConfig() is one; see
// the autotls package) or GetConfigForClient. A nil cfg, or one without
// any of them, is an error. Go's defaults apply otherwise: TLS 1.2 at
// least, modern cipher suites.
func (a *App) ServeTLS(ctx context.Context, ln net.Listener, cfg *tls.Config) error {
	if cfg == nil || len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		ln.Close()
		return errors.New("nexios: ServeTLS needs a tls.Config with Certificates, GetCertificate or GetConfigForClient")
	}
	return a.serveOn(ctx, ln, cfg)
}

func (a *App) serveOn(ctx context.Context, ln net.Listener, tlsCfg *tls.Config) error {
	if err := a.Startup(ctx); err != nil {
		ln.Close()
		return err
	}
	srv := a.Server()
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	gl := &guardListener{Listener: ln, scan: tlsCfg == nil}
	scheme := "http"
	if tlsCfg != nil {
		srv.TLSConfig = tlsCfg.Clone()
		scheme = "https"
	}
	a.logger.LogAttrs(ctx, slog.LevelInfo, "nexios: serving", slog.String("addr", ln.Addr().String()),
		slog.String("scheme", scheme), slog.String("app", a.cfg.Title))
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			// The certificates are in TLSConfig; ServeTLS adds the ALPN
			// protocols the server speaks.
			errc <- srv.ServeTLS(gl, "", "")
			return
		}
		errc <- srv.Serve(gl)
	}()

	var serveErr error
	served := false
	select {
	case serveErr = <-errc:
		served = true
	case <-ctx.Done():
		served = a.drainDelay(errc, &serveErr)
	}
	a.hooks.drain.begin() // before Shutdown waits for the streams it ends
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), durationOr(a.cfg.ShutdownTimeout, DefaultShutdownTimeout))
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
