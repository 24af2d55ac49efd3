package logger_test

import "net/http"

// nopWriter is a ResponseWriter that keeps nothing, so benchmarks and
// allocation tests measure the framework alone.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nopWriter) WriteHeader(int)             {}
