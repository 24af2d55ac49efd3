package nexios_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
)

func ExampleApp_ServeTLS() {
	app := nexios.New(nexios.Config{Logger: quiet})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.Raw().Proto)
	})
	// Any certificate source: Certificates, GetCertificate (autocert's
	// Manager.TLSConfig(), see package autotls), GetConfigForClient.
	// RunTLS(addr, certFile, keyFile) loads a PEM pair instead.
	serverTLS, clientTLS, err := newSelfSigned()
	if err != nil {
		fmt.Println(err)
		return
	}
	ln := mustListen()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.ServeTLS(ctx, ln, serverTLS) }()

	tr := &http.Transport{TLSClientConfig: clientTLS, ForceAttemptHTTP2: true}
	resp, err := (&http.Client{Transport: tr}).Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	fmt.Println(string(body)) // negotiated by ALPN
	cancel()
	fmt.Println(<-done)
	// Output:
	// HTTP/2.0
	// <nil>
}

func ExampleConfig_h2c() {
	// Cleartext HTTP/2 (prior knowledge), for a proxy or gRPC client in
	// front; HTTP/1.1 clients are still served.
	app := nexios.New(nexios.Config{Logger: quiet, H2C: true})
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.Raw().Proto)
	})
	ln := mustListen()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()

	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	resp, err := (&http.Client{Transport: tr}).Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	fmt.Println(string(body))
	cancel()
	<-done
	// Output: HTTP/2.0
}

func ExampleApp_Draining() {
	app := nexios.New(nexios.Config{Logger: quiet})
	// A handler that holds a response open its own way ends it when the
	// server begins shutting down. (Response.Stream and Response.SSE do
	// this by themselves; WebSockets receive 1001.)
	app.Get("/wait", func(req *nexios.Request, res *nexios.Response) error {
		select {
		case <-app.Draining().Done():
			return res.Text("server going away")
		case <-req.Context().Done():
			return req.Context().Err()
		}
	})
	ln := mustListen()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/wait")
		if err != nil {
			got <- err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(body)
	}()
	time.Sleep(100 * time.Millisecond) // let the request arrive
	cancel()
	fmt.Println(<-got)
	fmt.Println(<-done)
	// Output:
	// server going away
	// <nil>
}
