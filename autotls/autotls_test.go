package autotls_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/autotls"
)

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []autotls.Config{
		{CacheDir: t.TempDir()},
		{Hosts: []string{"example.test"}},
	} {
		if _, err := cfg.Manager(); err == nil {
			t.Errorf("Manager(%+v) accepted", cfg)
		}
	}
}

// seedCache stores a certificate for host in dir the way autocert caches
// the ones it obtains, so that the test needs no certificate authority.
func seedCache(t *testing.T, dir, host string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(90 * 24 * time.Hour), // no renewal due during the test
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	if err := os.WriteFile(filepath.Join(dir, host), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

func TestServe(t *testing.T) {
	t.Parallel()
	// A certificate authority that must not be asked anything.
	var asked atomic.Int32
	ca := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer ca.Close()

	dir := t.TempDir()
	roots := seedCache(t, dir, "example.test")
	m, err := autotls.Config{Hosts: []string{"example.test"}, CacheDir: dir, DirectoryURL: ca.URL}.Manager()
	if err != nil {
		t.Fatal(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error { return res.Text(req.Raw().Proto) })
	tlsLn, _ := net.Listen("tcp", "127.0.0.1:0")
	httpLn, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- autotls.Serve(ctx, app, m, tlsLn, httpLn) }()

	// HTTPS with the cached certificate, over HTTP/2.
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: "example.test"},
		ForceAttemptHTTP2: true,
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get("https://" + tlsLn.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "HTTP/2.0" {
		t.Errorf("served %q", body)
	}

	// A host that is not configured is refused at the handshake, without
	// asking the authority.
	conn, err := tls.Dial("tcp", tlsLn.Addr().String(), &tls.Config{ServerName: "attacker.test", InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Error("handshake for an unconfigured host succeeded")
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the authority was asked %d times", n)
	}

	// Plain HTTP redirects to HTTPS and answers challenges.
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodGet, "http://"+httpLn.Addr().String()+"/shop?item=1", nil)
	req.Host = "example.test"
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://example.test/shop?item=1" {
		t.Errorf("redirect: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	req, _ = http.NewRequest(http.MethodGet, "http://"+httpLn.Addr().String()+"/.well-known/acme-challenge/unknown", nil)
	req.Host = "example.test"
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown challenge token: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}
