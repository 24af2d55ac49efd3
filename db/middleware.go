package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/uptrace/bun"

	"github.com/nexios-go/nexios"
)

// TxConfig configures TxMiddleware.
type TxConfig struct {
	// Skip exempts requests from the transaction. Default: GET, HEAD and
	// OPTIONS run without one (on SQLite a transaction holds the single
	// writer connection, which reads should not queue for).
	Skip func(req *nexios.Request) bool
	// Options are the transaction's options (isolation, read-only).
	Options *sql.TxOptions
}

// TxMiddleware runs each request in a transaction of d carried by the
// request's context, so every query of the handler joins it. The
// transaction commits before the response's status line is sent when
// that status is 1xx-3xx — a client never sees a success the database
// did not keep — and rolls back when the handler returns an error,
// answers 4xx or 5xx, or panics. When the commit itself fails the client
// gets the error (a 409 for a deferred constraint, else a 500) instead of
// the handler's response.
func (d *DB) TxMiddleware(cfg TxConfig) nexios.Middleware {
	skip := cfg.Skip
	if skip == nil {
		skip = func(req *nexios.Request) bool {
			m := req.Method()
			return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
		}
	}
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) (err error) {
			if skip(req) || d.InTx(req.Context()) {
				return next(req, res)
			}
			ctx := req.Context()
			btx, err := d.w.BeginTx(ctx, cfg.Options)
			if err != nil {
				return fmt.Errorf("db: begin: %w", d.mapError(err, opWrite))
			}
			st := &txState{owner: d, tx: btx.Tx, bun: btx}
			tw := &txWriter{ResponseWriter: res.Writer(), d: d, tx: btx, st: st}
			res.SetWriter(tw)
			raw := req.Raw()
			req.WithContext(context.WithValue(ctx, txKey{}, st))
			defer func() {
				req.SetRaw(raw)
				if p := recover(); p != nil {
					tw.finish(false)
					panic(p)
				}
			}()
			err = next(req, res)
			if tw.done {
				return errors.Join(err, tw.err)
			}
			status := res.StatusCode()
			if err != nil || status >= 400 {
				tw.finish(false)
				return err
			}
			if !tw.finish(true) {
				return tw.err // rendered by the app, as any error
			}
			return nil
		}
	}
}

// txWriter ends the transaction when the status line goes out.
type txWriter struct {
	http.ResponseWriter
	d      *DB
	tx     bun.Tx
	st     *txState // its AfterCommit functions run after the commit
	done   bool     // committed or rolled back
	failed bool     // the commit failed and its error was written
	err    error    // the commit's error
}

// finish commits (commit) or rolls back, once; it reports whether a
// commit succeeded.
func (w *txWriter) finish(commit bool) bool {
	if w.done {
		return w.err == nil
	}
	w.done = true
	if !commit {
		if err := w.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			w.d.logger.Warn("db: rollback failed", "error", err)
		}
		return false
	}
	if err := w.tx.Commit(); err != nil {
		w.err = fmt.Errorf("db: commit: %w", w.d.mapError(err, opWrite))
		return false
	}
	for _, fn := range w.st.hooks() {
		fn()
	}
	return true
}

func (w *txWriter) WriteHeader(code int) {
	if w.done || code < 200 {
		if !w.failed {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	if w.finish(code < 400) || code >= 400 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	// The commit failed after the handler chose a success: answer with
	// the failure instead, and drop the handler's body.
	w.failed = true
	status := nexios.StatusOf(w.err)
	h := w.ResponseWriter.Header()
	for _, k := range []string{"Content-Length", "Content-Encoding", "ETag", "Last-Modified", "Location", "Link"} {
		h.Del(k)
	}
	h.Set("Content-Type", "application/problem+json")
	w.ResponseWriter.WriteHeader(status)
	detail := "the change could not be saved"
	var he *nexios.HTTPError
	if errors.As(w.err, &he) {
		detail = he.Detail
	}
	body, _ := json.Marshal(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
	_, _ = w.ResponseWriter.Write(body)
}

func (w *txWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return len(b), nil // the handler's body of a response replaced by the error
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *txWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
