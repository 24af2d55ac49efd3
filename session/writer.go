package session

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
)

// state follows one request's session from load to save.
type state struct {
	m        *middleware
	req      *nexios.Request
	res      *nexios.Response
	sess     *Session
	token    string    // the cookie value the store accepted (or issued)
	stale    bool      // the client sent a cookie that names no live session
	created  time.Time // start of the absolute timeout
	lastSeen time.Time // last save (start of the idle timeout)
	done     bool      // the response was committed: the cookie is decided
	failed   bool      // the response was a server error: nothing is saved
}

// commit runs once, when the response is about to be committed (or after
// the handler when it wrote nothing): it saves the session if it must and
// adds the Set-Cookie header. A failed request (5xx) saves nothing.
func (st *state) commit(status int) error {
	if st.done {
		return nil
	}
	st.done = true
	if status >= 500 {
		st.failed = true
		return nil
	}
	return st.save(true)
}

// save brings the store (and, when sendCookie, the client's cookie) in
// line with the session.
func (st *state) save(sendCookie bool) error {
	ctx := st.req.Context()
	s := st.sess.snapshot()
	now := st.m.now()
	switch {
	case s.Destroyed, s.Modified && len(s.Values) == 0 && !s.Regenerate:
		// Logout, or every value removed: the session ends.
		if st.token != "" {
			if err := st.m.store.Delete(ctx, st.token); err != nil {
				return err
			}
			st.stale = true
		}
		st.token = ""
		st.sess.saved("")
	case s.Regenerate:
		// A new id for the same data; the old one must die with it, or a
		// planted (fixated) id would stay logged in.
		if st.token != "" {
			if err := st.m.store.Delete(ctx, st.token); err != nil {
				return err
			}
			st.stale = true
		}
		st.token, st.created = "", now
		return st.write(&Record{Values: s.Values, CreatedAt: now, LastSeen: now}, now, sendCookie)
	case s.Modified:
		return st.write(&Record{ID: s.ID, Values: s.Values, CreatedAt: st.created, LastSeen: now}, now, sendCookie)
	case st.token != "" && st.m.touchEvery > 0 && now.Sub(st.lastSeen) >= st.m.touchEvery:
		// Unchanged but active: renew it before the idle timeout ends it.
		return st.write(&Record{ID: s.ID, Values: s.Values, CreatedAt: st.created, LastSeen: now}, now, sendCookie)
	}
	if st.stale && sendCookie {
		st.cookie("", -1)
		st.stale = false
	}
	return nil
}

// write saves rec and sends its token.
func (st *state) write(rec *Record, now time.Time, sendCookie bool) error {
	ttl := st.m.ttl(rec.CreatedAt, now)
	if ttl <= 0 { // reached the absolute timeout during the request
		st.sess.Destroy()
		return st.save(sendCookie)
	}
	token, err := st.m.store.Save(st.req.Context(), st.token, rec, ttl)
	if errors.Is(err, ErrNotFound) && st.token != "" {
		// The session ended while this request ran (a logout or a
		// rotation elsewhere, maybe on another instance): it stays ended,
		// and this request's changes to it are dropped.
		st.token, st.stale = "", true
		st.sess.saved("")
		if sendCookie {
			st.cookie("", -1)
			st.stale = false
		}
		return nil
	}
	if err != nil {
		return err
	}
	changed := token != st.token
	st.token, st.stale, st.lastSeen = token, false, now
	st.sess.saved(rec.ID)
	if sendCookie {
		st.cookie(token, ttl)
	} else if changed {
		return errors.New("the store issued a new cookie after the response was sent; the change is lost")
	}
	return nil
}

// cookie adds the Set-Cookie header: the token, or a deletion when ttl
// is negative.
func (st *state) cookie(token string, ttl time.Duration) {
	m := st.m
	c := &http.Cookie{
		Name: m.name, Value: token, Path: m.path, Domain: m.domain,
		Secure: m.secure || st.req.Scheme() == "https", HttpOnly: m.httpOnly, SameSite: m.sameSite,
	}
	switch {
	case ttl < 0:
		c.MaxAge = -1
	case m.maxAge > 0:
		c.MaxAge = int(m.maxAge / time.Second)
	case m.maxAge == 0:
		c.MaxAge = int((ttl + time.Second - 1) / time.Second) // rounded up: never 0, which deletes
	}
	st.res.Header().Add("Set-Cookie", c.String())
}

// finish runs after the handler. If nothing was committed yet (the handler
// returned an error, or wrote nothing) it saves now, so the error response
// rendered later still carries the cookie. Changes made after the response
// was committed (a streaming handler) are saved to a server-side store
// when possible and logged otherwise.
func (st *state) finish(err error) error {
	if !st.done {
		status := 0
		if err != nil {
			status = nexios.StatusOf(err)
		}
		if serr := st.commit(status); serr != nil {
			if err == nil {
				return unavailable(fmt.Errorf("session: saving: %w", serr))
			}
			st.log("session: saving failed", serr)
		}
		return err
	}
	s := st.sess.snapshot()
	if st.failed || !s.Modified {
		return err
	}
	switch {
	case s.Regenerate && !s.Destroyed:
		st.log("session: Regenerate after the response was committed; the id did not change", nil)
	case st.token == "" && !s.Destroyed:
		st.log("session: a new session was modified after the response was committed; it is lost", nil)
	default:
		if serr := st.save(false); serr != nil {
			st.log("session: saving after the response was committed failed", serr)
		}
	}
	return err
}

func (st *state) log(msg string, err error) {
	attrs := []slog.Attr{slog.String("path", st.req.URL().Path)}
	if err != nil {
		attrs = append(attrs, slog.Any("error", err))
	}
	st.req.App().Logger().LogAttrs(st.req.Context(), slog.LevelError, msg, attrs...)
}

// hook commits from inside the writer, where an error can only be logged:
// the status line is going out.
func (st *state) hook(status int) {
	if st.done {
		return
	}
	if err := st.commit(status); err != nil {
		st.log("session: saving failed; the response goes without the session cookie", err)
	}
}

// writer adds the session cookie when the response is committed. It
// keeps Flush and Hijack reachable (http.ResponseController) through
// Unwrap.
type writer struct {
	http.ResponseWriter
	st *state
}

// WriteHeader implements http.ResponseWriter.
func (w *writer) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.st.hook(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *writer) Write(b []byte) (int, error) {
	w.st.hook(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// FlushError commits the response and flushes it.
func (w *writer) FlushError() error {
	w.st.hook(http.StatusOK)
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over; the session is saved first, since
// nothing can be added to the response afterwards.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.st.hook(http.StatusSwitchingProtocols)
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
