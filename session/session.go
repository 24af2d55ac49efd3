// Package session gives each client a session: server-side data tied to a
// cookie, loaded before the handler as From(req) and saved after it,
// the Go form of Nexios' SessionMiddleware.
//
//	store := session.NewMemoryStore(session.MemoryConfig{})
//	defer store.Close()
//	app.Use(nexios.Must(session.New(session.Config{Store: store})))
//
//	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
//		s := From(req)
//		s.Regenerate() // new id on login, against session fixation
//		s.Set("user_id", 42)
//		return res.JSON(map[string]any{"ok": true})
//	})
//
// Stores: CookieStore (the session lives in a signed and encrypted cookie),
// MemoryStore (one instance) and FileStore (one file per session). All sit
// behind the Store interface, which a Redis store implements for many
// instances.
//
// The middleware enforces an idle timeout (since the session was last
// saved) and an absolute timeout (since it was created) on every load: an
// expired, forged, revoked or unknown cookie gives the request a new, empty
// session, and a client-chosen id is never adopted. A session is saved only
// when the handler modified it (or to keep an active session from idling
// out), and the cookie is added when the response is committed, so a
// handler that writes its body itself still gets its session saved.
package session

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
)

// Config configures the middleware. Store is required; the other fields
// have defaults.
type Config struct {
	// Store keeps the sessions. Required.
	Store Store

	// CookieName is the session cookie's name. Default "session_id".
	// A "__Host-" name makes the cookie Secure with path "/" and no
	// domain, as browsers require.
	CookieName string
	// CookiePath is the cookie's path. Default "/".
	CookiePath string
	// CookieDomain is the cookie's domain. Default: host-only.
	CookieDomain string
	// CookieSecure always sets the Secure attribute. It is set anyway for
	// requests that came over HTTPS (req.Scheme() == "https", which a
	// trusted-proxy middleware may set).
	CookieSecure bool
	// CookieSameSite defaults to http.SameSiteLaxMode.
	CookieSameSite http.SameSite
	// CookieMaxAge is the cookie's Max-Age. Default 0: the session's
	// remaining lifetime, renewed on each save. Negative: no Max-Age, the
	// cookie ends with the browser session (the server-side timeouts still
	// apply).
	CookieMaxAge time.Duration
	// DisableHTTPOnly lets page scripts read the session cookie. Leave it
	// off: an XSS bug could then steal sessions.
	DisableHTTPOnly bool

	// IdleTimeout ends a session not saved for that long. An active
	// session is re-saved when a tenth of it has passed, so a client is
	// logged out after between 0.9 and 1 times IdleTimeout of inactivity.
	// Default 24 hours; negative: none.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session that long after it was created
	// (Regenerate starts the count again). Default 7 days; negative: none.
	// IdleTimeout and AbsoluteTimeout cannot both be disabled.
	AbsoluteTimeout time.Duration

	// Skip, when it returns true, runs the request without a session
	// (From(req) is nil). Default: never.
	Skip func(*nexios.Request) bool
	// Now returns the current time. Default time.Now; tests inject a
	// clock.
	Now func() time.Time
}

// maxTokenLen bounds the cookie value passed to the store: browsers keep
// cookies of up to 4096 bytes, and anything longer is not ours.
const maxTokenLen = 4096

type middleware struct {
	store      Store
	name       string
	path       string
	domain     string
	secure     bool
	sameSite   http.SameSite
	maxAge     time.Duration
	httpOnly   bool
	idle       time.Duration
	absolute   time.Duration
	touchEvery time.Duration
	skip       func(*nexios.Request) bool
	now        func() time.Time
}

// New returns the session middleware, or an error for an invalid
// configuration. Add it before (outside) the middleware and routes that
// use sessions, the authentication middleware included.
func New(cfg Config) (nexios.Middleware, error) {
	if cfg.Store == nil {
		return nil, errors.New("session: Config.Store is required (NewMemoryStore, NewCookieStore or NewFileStore)")
	}
	m := &middleware{
		store: cfg.Store, name: cfg.CookieName, path: cfg.CookiePath, domain: cfg.CookieDomain,
		secure: cfg.CookieSecure, sameSite: cfg.CookieSameSite, maxAge: cfg.CookieMaxAge,
		httpOnly: !cfg.DisableHTTPOnly, idle: cfg.IdleTimeout, absolute: cfg.AbsoluteTimeout,
		skip: cfg.Skip, now: cfg.Now,
	}
	if m.name == "" {
		m.name = "session_id"
	}
	if m.path == "" {
		m.path = "/"
	}
	if m.sameSite == 0 {
		m.sameSite = http.SameSiteLaxMode
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.idle == 0 {
		m.idle = 24 * time.Hour
	}
	if m.absolute == 0 {
		m.absolute = 7 * 24 * time.Hour
	}
	if m.idle < 0 && m.absolute < 0 {
		return nil, errors.New("session: IdleTimeout and AbsoluteTimeout are both disabled; a session must expire")
	}
	if m.idle > 0 {
		m.touchEvery = m.idle / 10
	}
	if strings.HasPrefix(m.name, "__Host-") {
		if m.path != "/" || m.domain != "" {
			return nil, fmt.Errorf("session: cookie %q needs path \"/\" and no domain", m.name)
		}
		m.secure = true
	}
	if strings.HasPrefix(m.name, "__Secure-") {
		m.secure = true
	}
	probe := &http.Cookie{Name: m.name, Value: "x", Path: m.path, Domain: m.domain}
	if err := probe.Valid(); err != nil {
		return nil, fmt.Errorf("session: invalid cookie settings: %w", err)
	}
	return m.handle, nil
}

// From returns the request's session, or nil when the session middleware
// does not run for the route. It is From(req).
func From(req *nexios.Request) *Session { return sessionKey.Value(req) }

// sessionKey holds the request's session.
var sessionKey = nexios.NewKey[*Session]("session")

func (m *middleware) handle(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if m.skip != nil && m.skip(req) {
			return next(req, res)
		}
		st, err := m.load(req, res)
		if err != nil {
			return err
		}
		w := &writer{ResponseWriter: res.Writer(), st: st}
		res.SetWriter(w)
		err = next(req, res)
		if res.Writer() == w {
			res.SetWriter(w.ResponseWriter)
		}
		return st.finish(err)
	}
}

// expired reports whether a stored session has outlived a timeout.
func (m *middleware) expired(rec *Record, now time.Time) bool {
	if m.absolute > 0 && !now.Before(rec.CreatedAt.Add(m.absolute)) {
		return true
	}
	return m.idle > 0 && !now.Before(rec.LastSeen.Add(m.idle))
}

// ttl returns how long a session saved now stays valid: the idle timeout,
// cut short by the absolute timeout.
func (m *middleware) ttl(created, now time.Time) time.Duration {
	ttl := m.idle
	if m.absolute > 0 {
		left := created.Add(m.absolute).Sub(now)
		if ttl < 0 || left < ttl {
			ttl = left
		}
	}
	return ttl
}

// load reads the session named by the request's cookie. Anything that is
// not a live session of the store (missing, forged, expired, revoked)
// gives a new empty session; only a failing store is an error.
func (m *middleware) load(req *nexios.Request, res *nexios.Response) (*state, error) {
	now := m.now()
	st := &state{m: m, req: req, res: res}
	token := req.Cookie(m.name)
	if token != "" {
		st.stale = true // until the store accepts it
		if len(token) <= maxTokenLen {
			rec, err := m.store.Load(req.Context(), token)
			switch {
			case err == nil && m.expired(rec, now):
				// The store may not have noticed yet (its TTL covers the
				// idle timeout only as of the last save): end it now.
				_ = m.store.Delete(req.Context(), token)
			case err == nil:
				st.token, st.stale, st.created, st.lastSeen = token, false, rec.CreatedAt, rec.LastSeen
				st.sess = newSession(rec.ID, rec.Values, rec.CreatedAt)
			case !errors.Is(err, ErrNotFound):
				// The store failed: the request cannot tell who the client
				// is, and must not go on as a stranger (losing the user, or
				// overwriting the session with an empty one).
				return nil, unavailable(fmt.Errorf("session: loading: %w", err))
			}
		}
	}
	if st.sess == nil {
		st.sess, st.created = newSession("", nil, now), now
	}
	sessionKey.Set(req, st.sess)
	return st, nil
}

// unavailable makes a store failure a 503: the session store is down, which
// is no fault of the request.
func unavailable(err error) error {
	return nexios.NewHTTPError(http.StatusServiceUnavailable, "session store unavailable; try again later").Wrap(err)
}
