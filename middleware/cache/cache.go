// Package cache is an HTTP response cache middleware on a cache.Cache
// (in memory, or Redis to share it between instances):
//
//	store := cache.NewMemory(cache.MemoryConfig{})
//	app.Use(nexios.Must(httpcache.New(httpcache.Config{Cache: store})))
//	app.Get("/products", func(req *nexios.Request, res *nexios.Response) error {
//		res.Header().Set("Cache-Control", "public, max-age=60")
//		return res.JSON(products)
//	})
//
// It stores successful GET responses that say they may be stored and for
// how long (Cache-Control max-age or s-maxage, or Config.DefaultTTL), and
// answers later GET and HEAD requests for the same URL from the cache with
// an Age header, until the entry expires. It follows RFC 9111 for a shared
// cache, more strictly where users' data is at stake:
//
//   - a response with Cache-Control no-store, no-cache or private, with a
//     Set-Cookie header, or with Vary: * is never stored;
//   - a request with Cache-Control no-store goes to the handler and its
//     response is not stored; no-cache (or max-age=0) skips the lookup;
//   - Vary is honoured: each combination of the named request headers is
//     its own entry;
//   - a personal request — an authenticated user, an Authorization header
//     or a session cookie (Config.Personal) — never reads or writes the
//     shared entries: with PerUser its responses (private ones included)
//     are cached under that identity only, never served to anyone else;
//     without it they are not cached at all. A request that the handler
//     authenticates (an auth middleware inside this one) is not stored
//     either.
//
// Concurrent misses for one entry are coalesced within the instance: one
// request runs the handler, the others wait for its response and are then
// answered from the cache (a stampede costs one computation per instance).
// A failing cache never fails a request: it is logged and the handler
// answers.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/cache"
)

// Config configures the middleware.
type Config struct {
	// Cache stores the responses. Required.
	Cache cache.Cache
	// DefaultTTL is how long a stored response lives when it gives no
	// max-age or s-maxage. Default 0: such responses are not stored.
	DefaultTTL time.Duration
	// MaxTTL caps every entry's lifetime. Default 24 hours.
	MaxTTL time.Duration
	// MaxBodyBytes is the largest body stored. Default 1 MiB.
	MaxBodyBytes int
	// PerUser caches the responses to personal requests under the
	// requester's identity (see Personal). Default false: they are not
	// cached.
	PerUser bool
	// Personal tells whether a request is personal and whose it is.
	// Default: an authenticated req.User() (its Identity), an
	// Authorization header, or one of SessionCookies.
	Personal func(req *nexios.Request) (identity string, personal bool)
	// SessionCookies are the cookies that make a request personal for
	// the default Personal. Default {"session_id"}.
	SessionCookies []string
	// KeyPrefix is put before every cache key. Default "http:".
	KeyPrefix string
	// Skip passes requests to the handler uncached. Default nil.
	Skip func(req *nexios.Request) bool
}

type middleware struct {
	cfg     Config
	flights sync.Mutex
	running map[string]chan struct{}
}

// New returns the middleware, or an error for an invalid configuration.
func New(cfg Config) (nexios.Middleware, error) {
	if cfg.Cache == nil {
		return nil, errors.New("cache: Config.Cache is required")
	}
	if cfg.DefaultTTL < 0 || cfg.MaxTTL < 0 || cfg.MaxBodyBytes < 0 {
		return nil, errors.New("cache: DefaultTTL, MaxTTL and MaxBodyBytes must not be negative")
	}
	if cfg.MaxTTL == 0 {
		cfg.MaxTTL = 24 * time.Hour
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.SessionCookies == nil {
		cfg.SessionCookies = []string{"session_id"}
	}
	if cfg.Personal == nil {
		cfg.Personal = personal(cfg.SessionCookies)
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "http:"
	}
	m := &middleware{cfg: cfg, running: make(map[string]chan struct{})}
	return m.wrap, nil
}

// personal is the default Config.Personal.
func personal(cookies []string) func(*nexios.Request) (string, bool) {
	return func(req *nexios.Request) (string, bool) {
		if u := req.User(); u.IsAuthenticated() {
			return "user:" + u.Identity(), true
		}
		if a := req.Header("Authorization"); a != "" {
			return "authorization:" + a, true
		}
		for _, name := range cookies {
			if v := req.Cookie(name); v != "" {
				return "cookie:" + name + "=" + v, true
			}
		}
		return "", false
	}
}

func (m *middleware) wrap(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		method := req.Method()
		if method != http.MethodGet && method != http.MethodHead || m.cfg.Skip != nil && m.cfg.Skip(req) {
			return next(req, res)
		}
		reqCC := parseCacheControl(req.Headers().Values("Cache-Control"))
		if reqCC.has("no-store") {
			return next(req, res)
		}
		id, isPersonal := m.cfg.Personal(req)
		if isPersonal && !m.cfg.PerUser {
			return next(req, res)
		}
		key := m.cfg.KeyPrefix
		if isPersonal {
			sum := sha256.Sum256([]byte(id))
			key += "u:" + hex.EncodeToString(sum[:16]) + ":"
		}
		key += req.Host() + " " + req.URL().RequestURI()
		lookup := !reqCC.has("no-cache") && reqCC.value("max-age") != "0"
		if lookup {
			if m.serve(req, res, key) {
				return nil
			}
			// Coalesce: wait for a request already computing this entry,
			// then look again.
			if done, leader := m.join(key); !leader {
				select {
				case <-done:
				case <-req.Context().Done():
					return context.Cause(req.Context())
				}
				if m.serve(req, res, key) {
					return nil
				}
			} else {
				defer m.leave(key, done)
			}
		}
		res.Header().Set("X-Cache", "MISS")
		w := &capture{ResponseWriter: res.Writer(), max: m.cfg.MaxBodyBytes}
		res.SetWriter(w)
		err := next(req, res)
		if res.Writer() == w {
			res.SetWriter(w.ResponseWriter)
		}
		if err == nil && method == http.MethodGet {
			m.store(req, key, isPersonal, w)
		}
		return err
	}
}

// join registers the caller as the one computing key, or returns the
// channel of the one already doing it.
func (m *middleware) join(key string) (chan struct{}, bool) {
	m.flights.Lock()
	defer m.flights.Unlock()
	if ch, ok := m.running[key]; ok {
		return ch, false
	}
	ch := make(chan struct{})
	m.running[key] = ch
	return ch, true
}

func (m *middleware) leave(key string, ch chan struct{}) {
	m.flights.Lock()
	delete(m.running, key)
	m.flights.Unlock()
	close(ch)
}

// serve answers from the cache, reporting whether it did.
func (m *middleware) serve(req *nexios.Request, res *nexios.Response, key string) bool {
	ctx := req.Context()
	e := m.get(req, key)
	if e != nil && e.Vary != nil {
		e = m.get(req, variantKey(key, e.Vary, req.Headers()))
		if e != nil && e.Vary != nil {
			e = nil
		}
	}
	if e == nil || ctx.Err() != nil {
		return false
	}
	h := res.Header()
	for k, v := range e.Header {
		h[k] = slices.Clone(v)
	}
	age := max(int64(time.Since(time.UnixMilli(e.Stored))/time.Second), 0)
	h.Set("Age", strconv.FormatInt(age, 10))
	h.Set("X-Cache", "HIT")
	res.WriteHeader(e.Status)
	if req.Method() != http.MethodHead {
		_, _ = res.Write(e.Body)
	}
	return true
}

func (m *middleware) get(req *nexios.Request, key string) *entry {
	data, ok, err := m.cfg.Cache.Get(req.Context(), key)
	if err != nil {
		m.warn(req, "cache: lookup failed; the handler answers", err)
		return nil
	}
	if !ok {
		return nil
	}
	e, err := decodeEntry(data)
	if err != nil {
		m.warn(req, "cache: undecodable entry ignored", err)
		return nil
	}
	return e
}

// store keeps the captured response when it may be kept.
func (m *middleware) store(req *nexios.Request, key string, wasPersonal bool, w *capture) {
	if !w.cacheable() || !cacheableStatus(w.status) {
		return
	}
	if !wasPersonal {
		// Authenticated inside (an auth middleware after this one): the
		// response may be someone's own.
		if _, p := m.cfg.Personal(req); p {
			return
		}
	}
	h := w.header
	if len(h.Values("Set-Cookie")) > 0 {
		return
	}
	cc := parseCacheControl(h.Values("Cache-Control"))
	if cc.has("no-store") || cc.has("no-cache") || cc.has("private") && !wasPersonal {
		return
	}
	ttl := m.cfg.DefaultTTL
	if v, ok := cc.seconds("max-age"); ok {
		ttl = v
	}
	if v, ok := cc.seconds("s-maxage"); ok && !wasPersonal {
		ttl = v
	}
	ttl = min(ttl, m.cfg.MaxTTL)
	if ttl <= 0 {
		return
	}
	vary := varyNames(h.Values("Vary"))
	if slices.Contains(vary, "*") {
		return
	}
	header := h.Clone()
	for _, k := range []string{"X-Cache", "Age", "Date", "Connection", "Keep-Alive", "Transfer-Encoding", "Trailer"} {
		delete(header, k)
	}
	e := &entry{Status: w.status, Header: header, Body: w.buf, Stored: time.Now().UnixMilli()}
	ctx := context.WithoutCancel(req.Context())
	target := key
	if vary != nil {
		target = variantKey(key, vary, req.Headers())
		if err := m.cfg.Cache.Set(ctx, key, encodeEntry(&entry{Vary: vary}), ttl); err != nil {
			m.warn(req, "cache: storing failed", err)
			return
		}
	}
	if err := m.cfg.Cache.Set(ctx, target, encodeEntry(e), ttl); err != nil {
		m.warn(req, "cache: storing failed", err)
	}
}

func (m *middleware) warn(req *nexios.Request, msg string, err error) {
	req.App().Logger().LogAttrs(req.Context(), slog.LevelWarn, msg,
		slog.String("path", req.URL().Path), slog.Any("error", err))
}

// cacheableStatus lists the statuses RFC 9110 §15.1 calls heuristically
// cacheable (206 excluded: ranges are not cached).
func cacheableStatus(code int) bool {
	switch code {
	case 200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501:
		return true
	}
	return false
}

// variantKey is the key of the entry for the request's values of the
// Vary headers.
func variantKey(key string, vary []string, h http.Header) string {
	sum := sha256.New()
	for _, name := range vary {
		sum.Write([]byte(name))
		sum.Write([]byte{0})
		sum.Write([]byte(strings.Join(h.Values(name), ",")))
		sum.Write([]byte{0})
	}
	return key + " |" + hex.EncodeToString(sum.Sum(nil)[:16])
}

// varyNames returns the canonical header names of Vary, sorted; nil when
// there are none.
func varyNames(values []string) []string {
	var names []string
	for _, v := range values {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				names = append(names, http.CanonicalHeaderKey(f))
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
