package otel_test

import (
	"io"
	"log/slog"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// database/sql's connection opener lives as long as its DB, which
		// dbtest closes in a cleanup.
		goleak.IgnoreTopFunction("database/sql.(*DB).connectionOpener"),
	)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
