package nexios

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Key is the one way to attach typed data to a request, a route or an app.
// A package declares its keys once and owns the data stored under them:
// the session middleware stores the session under its key, the request-id
// middleware the id under its own, and nobody else needs to know the type.
//
//	var tenantKey = nexios.NewKey[*Tenant]("tenant")
//
//	tenantKey.Set(req, t)              // per request (middleware)
//	t, ok := tenantKey.Get(req)        // per request (handler)
//	app.Get("/x", h, tenantKey.With(t)) // per route (a route option)
//	tenantKey.SetApp(app, t)           // per app
//	t, ok = tenantKey.Resolve(req)     // nearest scope: request, route, then app
//
// Keys are compared by identity: two keys made with the same name are two
// keys. Request values live in the pooled request and are dropped when the
// request ends; getting and setting a pointer-shaped value (a pointer, map,
// chan or func) does not allocate.
type Key[T any] struct {
	name string
}

// NewKey returns a new key for values of type T. name appears in
// messages and debugging output only.
func NewKey[T any](name string) *Key[T] { return &Key[T]{name: name} }

// String returns the key's name.
func (k *Key[T]) String() string { return k.name }

// Get returns the value stored under k for this request.
func (k *Key[T]) Get(req *Request) (T, bool) {
	if s := req.slot(k); s != nil && s.state == slotSet {
		v, ok := s.val.(T)
		return v, ok
	}
	var zero T
	return zero, false
}

// Value returns the value stored under k for this request, or T's zero
// value.
func (k *Key[T]) Value(req *Request) T {
	v, _ := k.Get(req)
	return v
}

// Set stores v under k for the rest of this request.
func (k *Key[T]) Set(req *Request, v T) {
	s := req.slotFor(k)
	s.val, s.err, s.state = v, nil, slotSet
}

// Delete removes the request's value under k.
func (k *Key[T]) Delete(req *Request) {
	if s := req.slot(k); s != nil {
		*s = slot{key: k}
	}
}

// With returns a route option that stores v under k for the route. Give
// it to a route, or to every route of a router with RouterDefaults.
func (k *Key[T]) With(v T) RouteOption {
	return func(r *Route) {
		if r.values == nil {
			r.values = make(map[any]any)
		}
		r.values[k] = v
	}
}

// Route returns the value stored under k for the route rt (nil rt: none).
func (k *Key[T]) Route(rt *Route) (T, bool) {
	if rt != nil {
		if v, ok := rt.values[k]; ok {
			t, ok := v.(T)
			return t, ok
		}
	}
	var zero T
	return zero, false
}

// SetApp stores v under k for the app. It may be called at any time, for
// instance from a start-up hook; readers see either the old or the new
// value.
func (k *Key[T]) SetApp(app *App, v T) { app.values.store(k, v) }

// App returns the value stored under k for the app.
func (k *Key[T]) App(app *App) (T, bool) {
	if v, ok := app.values.load(k); ok {
		t, ok := v.(T)
		return t, ok
	}
	var zero T
	return zero, false
}

// Resolve returns the value under k from the nearest scope that has one:
// the request, then its route, then the app. Settings with a per-app
// default, a per-route override and a per-request override read it.
func (k *Key[T]) Resolve(req *Request) (T, bool) {
	if v, ok := k.Get(req); ok {
		return v, true
	}
	if v, ok := k.Route(req.route); ok {
		return v, true
	}
	return k.App(req.app)
}

// slot is one request-scoped value. Slots live in a slice kept with the
// pooled request: a handful of keys per request are found faster by a
// linear scan than by hashing, and nothing is allocated once the slice has
// grown.
type slot struct {
	key   any // *Key[T] or *Dependency[T], compared by identity
	val   any
	err   error // a dependency's provider error
	state uint8
}

const (
	slotEmpty     uint8 = iota
	slotResolving       // a dependency's provider is running
	slotSet
)

// slot returns the request's slot for key, or nil.
func (q *Request) slot(key any) *slot {
	for i := range q.slots {
		if q.slots[i].key == key {
			return &q.slots[i]
		}
	}
	return nil
}

// slotFor returns the request's slot for key, adding an empty one.
func (q *Request) slotFor(key any) *slot {
	if s := q.slot(key); s != nil {
		return s
	}
	q.slots = append(q.slots, slot{key: key})
	return &q.slots[len(q.slots)-1]
}

// appValues is an app's key-value store: copy on write, so that reads on
// the request path take no lock.
type appValues struct {
	mu sync.Mutex
	m  atomic.Pointer[map[any]any]
}

func (v *appValues) load(k any) (any, bool) {
	m := v.m.Load()
	if m == nil {
		return nil, false
	}
	x, ok := (*m)[k]
	return x, ok
}

func (v *appValues) store(k, x any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var next map[any]any
	if old := v.m.Load(); old != nil {
		next = maps.Clone(*old)
	} else {
		next = make(map[any]any, 1)
	}
	next[k] = x
	v.m.Store(&next)
}
