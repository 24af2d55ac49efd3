package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/config"
	"github.com/nexios-go/nexios/openapi"
)

// serveFlags are serve's flags; the root command has them too, since it
// serves when no command is given.
type serveFlags struct {
	addr    string
	tlsCert string
	tlsKey  string
}

func (f *serveFlags) register(cmd *cobra.Command, s settings) {
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", s.addr, "address to listen on (host:port; :0 picks a free port)")
	fl.StringVar(&f.tlsCert, "tls-cert", s.tlsCert, "PEM certificate chain file: serve HTTPS (with --tls-key)")
	fl.StringVar(&f.tlsKey, "tls-key", s.tlsKey, "PEM private key file of --tls-cert")
}

func (p *program) serveCommand() *cobra.Command {
	f := &serveFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the app (the default command)",
		Long: `Serve the app over HTTP, or HTTPS with --tls-cert and --tls-key, until
SIGINT or SIGTERM, then shut down gracefully: requests in flight finish,
streams and WebSockets are told to go away, the shutdown hooks run, and the
command exits 0. It prints the address, the documentation URL when OpenAPI
pages are registered, and the environment (NEXIOS_ENV).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return p.serve(cmd, f) },
	}
	f.register(cmd, p.s)
	return cmd
}

// serve listens, runs the start-up hooks, says where the app is, serves
// until the command's context ends, and says when it stopped.
func (p *program) serve(cmd *cobra.Command, f *serveFlags) error {
	ctx := cmd.Context()
	tlsCfg, err := p.tlsConfig(f)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	// Start-up first, so that "ready" is printed only for an app that
	// started; Serve does not run the hooks twice.
	if err := p.app.Startup(ctx); err != nil {
		ln.Close()
		return err
	}
	info := p.startInfo(ln.Addr(), tlsCfg != nil)
	p.announce(cmd.OutOrStdout(), info)

	done := make(chan struct{})
	announced := make(chan struct{})
	go func() {
		defer close(announced)
		select {
		case <-ctx.Done():
			p.announceShutdown(cmd.OutOrStdout(), context.Cause(ctx))
		case <-done:
		}
	}()
	if tlsCfg != nil {
		err = p.app.ServeTLS(ctx, ln, tlsCfg)
	} else {
		err = p.app.Serve(ctx, ln)
	}
	close(done)
	<-announced
	p.announceStop(cmd.OutOrStdout(), err)
	return err
}

// tlsConfig returns the TLS configuration serve uses, or nil for HTTP.
func (p *program) tlsConfig(f *serveFlags) (*tls.Config, error) {
	switch {
	case f.tlsCert != "" || f.tlsKey != "":
		if f.tlsCert == "" || f.tlsKey == "" {
			return nil, usageError{errors.New("--tls-cert and --tls-key go together")}
		}
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS certificate: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}}, nil
	case p.s.tlsConfig != nil:
		return p.s.tlsConfig.Clone(), nil
	}
	return nil, nil
}

// startInfo is what serve says at start-up.
type startInfo struct {
	url     string // where the app answers
	listen  string // the bound address
	docs    string // the documentation page, or ""
	spec    string // the OpenAPI document, or ""
	env     string
	title   string
	version string
}

func (p *program) startInfo(addr net.Addr, secure bool) startInfo {
	scheme := "http"
	if secure {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	base := scheme + "://" + net.JoinHostPort(host, port)
	info := startInfo{
		url: base, listen: addr.String(), env: p.environment(),
		title: p.app.Config().Title, version: p.app.Config().Version,
	}
	if cfg, ok := openapi.Registered(p.app); ok {
		info.spec = base + cfg.Path
		for _, ui := range cfg.UI {
			if page, ok := ui.(interface{ Path() string }); ok {
				info.docs = base + page.Path()
				break
			}
		}
	}
	return info
}

// environment is NEXIOS_ENV: from the configuration struct when it has
// that key, else the process environment, else "development".
func (p *program) environment() string {
	if p.s.cfg != nil {
		for _, e := range config.Redacted(p.s.cfg) {
			if e.Key == config.EnvName && e.Value != "" {
				return e.Value
			}
		}
	}
	if v := os.Getenv(config.EnvName); v != "" {
		return v
	}
	return "development"
}

// announce prints the start-up lines: text for a person, or one log
// record with --log-format json.
func (p *program) announce(w io.Writer, i startInfo) {
	if p.jsonLogs() {
		attrs := []any{slog.String("url", i.url), slog.String("listen", i.listen), slog.String("env", i.env)}
		if i.docs != "" {
			attrs = append(attrs, slog.String("docs", i.docs))
		}
		if i.spec != "" {
			attrs = append(attrs, slog.String("openapi", i.spec))
		}
		p.app.Logger().Info("nexios: ready", attrs...)
		return
	}
	name := strings.TrimSpace(i.title + " " + i.version)
	fmt.Fprintf(w, "%s (environment: %s)\n", name, i.env)
	fmt.Fprintf(w, "  Listening on  %s", i.url)
	if !strings.Contains(i.url, i.listen) {
		fmt.Fprintf(w, " (%s)", i.listen)
	}
	fmt.Fprintln(w)
	if i.docs != "" {
		fmt.Fprintf(w, "  API docs      %s\n", i.docs)
	}
	if i.spec != "" {
		fmt.Fprintf(w, "  OpenAPI       %s\n", i.spec)
	}
	fmt.Fprintln(w, "Press Ctrl+C to stop.")
}

func (p *program) announceShutdown(w io.Writer, cause error) {
	wait := p.app.Config().ShutdownTimeout
	if wait == 0 {
		wait = nexios.DefaultShutdownTimeout
	}
	if p.jsonLogs() {
		p.app.Logger().Info("nexios: shutting down", slog.Duration("timeout", wait), slog.String("cause", causeText(cause)))
		return
	}
	fmt.Fprintf(w, "Shutting down (%s): requests in flight have up to %s to finish.\n", causeText(cause), wait)
}

func (p *program) announceStop(w io.Writer, err error) {
	if p.jsonLogs() {
		if err != nil {
			p.app.Logger().Error("nexios: stopped", slog.Any("error", err))
			return
		}
		p.app.Logger().Info("nexios: stopped")
		return
	}
	if err != nil {
		fmt.Fprintln(w, "Stopped with an error.")
		return
	}
	fmt.Fprintln(w, "Stopped.")
}

// causeText names why the context ended: a signal, or a cancellation.
func causeText(err error) string {
	// A signal's cause matches context.Canceled too, but says which
	// signal: keep its message.
	if err == nil || errors.Is(err, context.Canceled) && err.Error() == context.Canceled.Error() {
		return "cancelled"
	}
	return err.Error() // "terminated signal received"
}

// waitTimeout is how long a ping or a check waits by default.
const waitTimeout = 10 * time.Second
