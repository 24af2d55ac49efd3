package nexios_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
)

// served is an app running on a loopback listener.
type served struct {
	addr string
	stop func() error // cancels Serve's context and returns Serve's result
}

// serveApp serves app on 127.0.0.1 with Serve, or ServeTLS when tlsCfg is
// set, and stops it when the test ends.
func serveApp(t *testing.T, app *nexios.App, tlsCfg *tls.Config) *served {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			done <- app.ServeTLS(ctx, ln, tlsCfg)
			return
		}
		done <- app.Serve(ctx, ln)
	}()
	var result error
	stopped := false
	s := &served{addr: ln.Addr().String(), stop: func() error {
		if !stopped {
			stopped = true
			cancel()
			select {
			case result = <-done:
			case <-time.After(30 * time.Second):
				t.Error("Serve did not return 30s after its context ended")
			}
		}
		return result
	}}
	t.Cleanup(func() { _ = s.stop() })
	return s
}

// selfSigned returns a server config with a certificate for 127.0.0.1 and
// localhost, and a client config that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	server, client, err := newSelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	return server, client
}

func newSelfSigned() (server, client *tls.Config, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "nexios test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return server, client, nil
}

// rawConn dials addr and returns the connection with a reader; it is
// closed when the test ends.
func rawConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// readResponses reads HTTP/1.1 responses from br until the connection
// ends, and returns their status lines.
func readResponses(t *testing.T, br *bufio.Reader, req *http.Request) []string {
	t.Helper()
	var got []string
	for {
		resp, err := http.ReadResponse(br, req)
		if err != nil {
			return got
		}
		got = append(got, resp.Status)
		var body strings.Builder
		_, _ = bufio.NewReader(resp.Body).WriteTo(&body)
		resp.Body.Close()
	}
}
