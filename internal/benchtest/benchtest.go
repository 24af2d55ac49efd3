// Package benchtest has the pieces the project's benchmarks share, so
// that they measure the framework and nothing else.
package benchtest

import "net/http"

// Writer is an http.ResponseWriter that keeps nothing but its header map.
// Call Reset between iterations so that headers do not pile up.
type Writer struct {
	h http.Header
	// Bytes counts the body bytes written, so a test can check that the
	// benchmarked code really wrote its response.
	Bytes int
}

// NewWriter returns a Writer with an empty header map.
func NewWriter() *Writer { return &Writer{h: make(http.Header)} }

// Header implements http.ResponseWriter.
func (w *Writer) Header() http.Header { return w.h }

// Write implements http.ResponseWriter; the bytes are discarded.
func (w *Writer) Write(b []byte) (int, error) {
	w.Bytes += len(b)
	return len(b), nil
}

// WriteHeader implements http.ResponseWriter.
func (w *Writer) WriteHeader(int) {}

// Flush implements http.Flusher, for streaming code paths.
func (w *Writer) Flush() {}

// Reset clears the headers and the byte count for the next iteration.
func (w *Writer) Reset() {
	clear(w.h)
	w.Bytes = 0
}
