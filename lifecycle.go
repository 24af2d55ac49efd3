package nexios

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Hook runs at start-up or shutdown. A start-up hook that fails stops the
// start; shutdown hooks all run and their errors are joined.
type Hook func(ctx context.Context) error

// LifespanFunc runs at start-up, after the OnStartup hooks; the cleanup it
// returns (may be nil) runs first at shutdown. It is the Go form of Nexios'
// lifespan context manager.
type LifespanFunc func(ctx context.Context, app *App) (cleanup func(context.Context) error, err error)

type lifecycle struct {
	mu       sync.Mutex
	startup  []Hook
	shutdown []Hook
	cleanup  func(context.Context) error
	started  bool

	drain drainState
}

// OnStartup adds a hook run by Startup, in registration order.
func (a *App) OnStartup(h Hook) {
	a.hooks.mu.Lock()
	defer a.hooks.mu.Unlock()
	a.hooks.startup = append(a.hooks.startup, h)
}

// OnShutdown adds a hook run by Shutdown. Shutdown hooks run in reverse
// order of registration, like deferred calls: what was set up last is torn
// down first, so a job client attached after the database stops before the
// database closes.
func (a *App) OnShutdown(h Hook) {
	a.hooks.mu.Lock()
	defer a.hooks.mu.Unlock()
	a.hooks.shutdown = append(a.hooks.shutdown, h)
}

// Startup runs the OnStartup hooks in order, then Config.Lifespan. Run and
// Serve call it; call it yourself when serving the app another way (tests,
// a custom server). It runs once; later calls do nothing.
func (a *App) Startup(ctx context.Context) error {
	a.hooks.mu.Lock()
	defer a.hooks.mu.Unlock()
	if a.hooks.started {
		return nil
	}
	a.tasks.reopen()
	for i, h := range a.hooks.startup {
		if err := h(ctx); err != nil {
			return fmt.Errorf("nexios: startup hook %d: %w", i+1, err)
		}
	}
	if a.cfg.Lifespan != nil {
		cleanup, err := a.cfg.Lifespan(ctx, a)
		if err != nil {
			return fmt.Errorf("nexios: lifespan: %w", err)
		}
		a.hooks.cleanup = cleanup
	}
	a.hooks.started = true
	a.hooks.drain.rearm()
	if !a.compiled.Load() {
		a.compile()
	}
	return nil
}

// Shutdown begins draining (see Draining), waits until every tracked
// long-lived connection has ended and the background tasks
// (Response.After) have finished, or ctx is done, then runs the lifespan
// cleanup and the OnShutdown hooks, last registered first (tasks finish
// before the resources they use are closed), and returns their errors joined. The
// hooks run only if Startup ran.
func (a *App) Shutdown(ctx context.Context) error {
	a.hooks.drain.begin()
	waitErr := a.hooks.drain.wait(ctx)
	a.hooks.mu.Lock()
	defer a.hooks.mu.Unlock()
	errs := []error{waitErr}
	if err := a.tasks.drain(ctx); err != nil {
		errs = append(errs, err)
	}
	if !a.hooks.started {
		return errors.Join(errs...)
	}
	a.hooks.started = false
	if a.hooks.cleanup != nil {
		if err := a.hooks.cleanup(ctx); err != nil {
			errs = append(errs, fmt.Errorf("nexios: lifespan cleanup: %w", err))
		}
		a.hooks.cleanup = nil
	}
	for i := len(a.hooks.shutdown) - 1; i >= 0; i-- {
		if err := a.hooks.shutdown[i](ctx); err != nil {
			errs = append(errs, fmt.Errorf("nexios: shutdown hook %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}
