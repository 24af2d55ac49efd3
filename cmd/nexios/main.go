// Command nexios starts, develops and extends Nexios applications:
//
//	nexios new NAME [--db sqlite|postgres] [--template api|web] [--local PATH] [--module PATH]
//	nexios dev [--addr 127.0.0.1:8000]
//	nexios generate resource NAME FIELD:TYPE[:MODIFIER…]…
//	nexios version
//
// See docs/cli.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/nexios-go/nexios/cmd/nexios/internal/command"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := command.Execute(ctx, os.Args[1:], command.Streams{Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}
