package db_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"github.com/nexios-go/nexios/db"
)

type hookRow struct {
	bun.BaseModel `bun:"table:t"`
	ID            int64 `bun:",pk,autoincrement"`
}

// recordHook records the operation of every query it sees.
type recordHook struct {
	mu  sync.Mutex
	ops []string
}

func (h *recordHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h *recordHook) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, e.Operation())
}

func TestAddQueryHookReachesReadersAndWriter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d, err := db.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	h := &recordHook{}
	d.AddQueryHook(h)
	if _, err := db.Bun(ctx, d).NewRaw("CREATE TABLE t (id INTEGER PRIMARY KEY)").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if d.SQL() == d.ReadSQL() {
		t.Fatal("a SQLite file should have a separate read pool")
	}
	// A read outside a transaction goes to the read pool.
	if _, err := db.Q[hookRow](ctx, d).Count(); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ops) != 2 || h.ops[1] != "SELECT" {
		t.Fatalf("hook saw %v, want the CREATE and the SELECT", h.ops)
	}
}
