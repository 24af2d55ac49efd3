package jobs

import (
	"context"
	"errors"
	"testing"
)

type fuzzArgs struct {
	ID    int64             `json:"id"`
	Email string            `json:"email"`
	Tags  []string          `json:"tags"`
	Meta  map[string]string `json:"meta"`
	When  *struct {
		At string `json:"at"`
	} `json:"when"`
}

func (fuzzArgs) Kind() string { return "fuzz" }

type recorder struct{ w *worker }

func (r *recorder) register(w *worker) error { r.w = w; return nil }

// FuzzDecode feeds arbitrary stored arguments to a registered worker:
// they either decode and reach the worker, or fail as a permanent
// ErrDecode — never a panic, never an error that would be retried.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"id":1,"email":"ada@example.com","tags":["a"],"meta":{"k":"v"},"when":{"at":"now"}}`,
		`{"id":"one"}`, `{"tags":"x"}`, `[]`, `null`, `{}`, `{"id":1e400}`, `{"email":"\ud800"}`, `not json`, ``,
	} {
		f.Add([]byte(seed))
	}
	var r recorder
	if err := Register(&r, func(ctx context.Context, j *Job[fuzzArgs]) error { return nil }); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		err := r.w.work(context.Background(), Info{ID: 1, Kind: "fuzz", RawArgs: raw})
		if err == nil {
			return
		}
		if _, ok := errors.AsType[*PermanentError](err); !ok || !errors.Is(err, ErrDecode) {
			t.Fatalf("args %q: %v, want nil or a permanent ErrDecode", raw, err)
		}
	})
}
