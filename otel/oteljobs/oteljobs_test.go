package oteljobs_test

import (
	"testing"

	"github.com/nexios-go/nexios/otel/oteljobs"
)

func TestSpanContext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		metadata string
		valid    bool
		traceID  string
	}{
		{"w3c", `{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01","other":1}`, true, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"with state", `{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00","tracestate":"k=v"}`, true, "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"none", `{}`, false, ""},
		{"empty", ``, false, ""},
		{"not json", `traceparent`, false, ""},
		{"not an object", `["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]`, false, ""},
		{"not a string", `{"traceparent":42}`, false, ""},
		{"malformed", `{"traceparent":"00-zz-00f067aa0ba902b7-01"}`, false, ""},
		{"zero trace id", `{"traceparent":"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}`, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := oteljobs.SpanContext([]byte(tc.metadata))
			if sc.IsValid() != tc.valid {
				t.Fatalf("valid = %v", sc.IsValid())
			}
			if tc.valid && (sc.TraceID().String() != tc.traceID || !sc.IsRemote()) {
				t.Errorf("span context %v", sc)
			}
		})
	}
}

// FuzzSpanContext: job metadata is stored data that other programs may
// write; reading it never panics.
func FuzzSpanContext(f *testing.F) {
	f.Add([]byte(`{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}`))
	f.Add([]byte(`{"traceparent":"","tracestate":"a=b,c=d"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, metadata []byte) {
		sc := oteljobs.SpanContext(metadata)
		if sc.IsValid() && !sc.TraceID().IsValid() {
			t.Fatal("valid span context with an invalid trace id")
		}
	})
}
