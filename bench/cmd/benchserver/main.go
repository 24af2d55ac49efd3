// Command benchserver serves the benchmark endpoints of one framework for
// load tests (see ../../wrk.sh):
//
//	GET  /plaintext   Hello, World! (text/plain)
//	GET  /json        {"message":"Hello, World!"}
//	GET  /users/{id}  {"id":N}
//	POST /echo        the JSON body, decoded into a struct and written back
//
// Usage:
//
//	benchserver -framework nexios|gin|echo|chi|stdlib -addr 127.0.0.1:8080
//
// It listens on loopback addresses only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/nexios-go/nexios/bench"
)

func main() {
	framework := flag.String("framework", "nexios", "framework to serve: "+strings.Join(bench.AppNames(), ", "))
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("benchserver: ")

	if err := checkLoopback(*addr); err != nil {
		log.Fatal(err)
	}
	h, err := bench.NewApp(*framework)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          log.Default(),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()

	log.Printf("%s listening on http://%s", *framework, ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-done
}

// checkLoopback rejects addresses that are not on a loopback interface.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q: only loopback addresses (127.0.0.1, [::1], localhost) are allowed", addr)
}
