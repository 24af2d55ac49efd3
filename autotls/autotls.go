// Package autotls serves a nexios app over HTTPS with certificates that
// are obtained and renewed automatically from an ACME certificate
// authority (Let's Encrypt by default), with
// golang.org/x/crypto/acme/autocert.
//
//	app := nexios.New(nexios.Config{Title: "shop"})
//	...
//	log.Fatal(autotls.Run(app, autotls.Config{
//		Hosts:    []string{"shop.example.com"},
//		CacheDir: "/var/lib/shop/certs",
//		Email:    "ops@example.com",
//	}))
//
// Nothing here runs unless the package is imported and Run or Serve is
// called: the kernel only knows a *tls.Config (App.ServeTLS).
//
// The host must be reachable from the internet on port 443 (TLS-ALPN-01
// challenges) or 80 (HTTP-01 challenges, answered by the HTTP server Run
// starts, which redirects every other request to HTTPS). Certificates are
// kept in the cache, so restarts do not ask the authority again; keep the
// cache on persistent storage, or the authority's rate limits will bite.
package autotls

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/nexios-go/nexios"
)

// Config configures automatic certificates.
type Config struct {
	// Hosts are the host names to obtain certificates for. Required: any
	// other name is refused at the TLS handshake, so that nobody can make
	// the server request certificates for names pointed at it.
	Hosts []string

	// CacheDir is the directory certificates and the account key are
	// stored in (created with mode 0700). Required unless Cache is set.
	CacheDir string
	// Cache stores certificates elsewhere (a database, a shared volume
	// for several instances); it replaces CacheDir.
	Cache autocert.Cache

	// Email is the contact address the authority sends expiry and policy
	// notices to. Optional but recommended.
	Email string

	// DirectoryURL is the ACME directory of the authority. Default: Let's
	// Encrypt's production directory. Use the staging directory
	// (https://acme-staging-v02.api.letsencrypt.org/directory) while
	// setting up, to stay clear of production rate limits.
	DirectoryURL string

	// HTTPSAddr is where HTTPS is served. Default ":443".
	HTTPSAddr string
	// HTTPAddr is where plain HTTP is served: ACME HTTP-01 challenges, and
	// a redirect to HTTPS for everything else. Default ":80"; "-" serves
	// no plain HTTP (challenges then use TLS-ALPN-01 on the HTTPS port).
	HTTPAddr string
}

// Manager returns the autocert manager cfg describes, for use with
// App.ServeTLS(ctx, ln, m.TLSConfig()) and m.HTTPHandler when Run and
// Serve do not fit.
func (cfg Config) Manager() (*autocert.Manager, error) {
	if len(cfg.Hosts) == 0 {
		return nil, errors.New("autotls: Config.Hosts is empty: name the hosts to obtain certificates for")
	}
	cache := cfg.Cache
	if cache == nil {
		if cfg.CacheDir == "" {
			return nil, errors.New("autotls: set Config.CacheDir (or Cache): certificates must outlive the process")
		}
		cache = autocert.DirCache(cfg.CacheDir)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(cfg.Hosts...),
		Cache:      cache,
		Email:      cfg.Email,
	}
	if cfg.DirectoryURL != "" {
		m.Client = &acme.Client{DirectoryURL: cfg.DirectoryURL}
	}
	return m, nil
}

// Run listens on cfg.HTTPSAddr and cfg.HTTPAddr and serves app with
// automatic certificates until SIGINT or SIGTERM, then shuts down
// gracefully. See Serve.
func Run(app *nexios.App, cfg Config) error {
	m, err := cfg.Manager()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	httpsAddr := cfg.HTTPSAddr
	if httpsAddr == "" {
		httpsAddr = ":443"
	}
	tlsLn, err := net.Listen("tcp", httpsAddr)
	if err != nil {
		return fmt.Errorf("autotls: listen on %s: %w", httpsAddr, err)
	}
	var httpLn net.Listener
	if httpAddr := cfg.HTTPAddr; httpAddr != "-" {
		if httpAddr == "" {
			httpAddr = ":80"
		}
		if httpLn, err = net.Listen("tcp", httpAddr); err != nil {
			tlsLn.Close()
			return fmt.Errorf("autotls: listen on %s: %w", httpAddr, err)
		}
	}
	return Serve(ctx, app, m, tlsLn, httpLn)
}

// Serve serves app over TLS on tlsLn with m's certificates (App.ServeTLS),
// and, when httpLn is not nil, plain HTTP on httpLn: ACME HTTP-01
// challenges, and a redirect to HTTPS for every other GET and HEAD (400
// for other methods). Both stop when ctx is done; Serve returns when both
// have stopped.
func Serve(ctx context.Context, app *nexios.App, m *autocert.Manager, tlsLn, httpLn net.Listener) error {
	var httpErr chan error
	var challenge *http.Server
	if httpLn != nil {
		challenge = &http.Server{
			Handler:           m.HTTPHandler(nil),
			ReadHeaderTimeout: nexios.DefaultReadHeaderTimeout,
			ReadTimeout:       nexios.DefaultReadTimeout,
			IdleTimeout:       nexios.DefaultIdleTimeout,
			MaxHeaderBytes:    nexios.DefaultMaxHeaderBytes,
		}
		httpErr = make(chan error, 1)
		go func() { httpErr <- challenge.Serve(httpLn) }()
	}
	err := app.ServeTLS(ctx, tlsLn, m.TLSConfig())
	if challenge == nil {
		return err
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	shutdownErr := challenge.Shutdown(shutdownCtx)
	if serveErr := <-httpErr; !errors.Is(serveErr, http.ErrServerClosed) {
		shutdownErr = errors.Join(shutdownErr, serveErr)
	}
	if shutdownErr != nil {
		shutdownErr = fmt.Errorf("autotls: the HTTP server: %w", shutdownErr)
	}
	return errors.Join(err, shutdownErr)
}
