package secure

import (
	"net/http"
)

// stripper deletes headers just before the response head is written.
// It is pooled by the middleware, so a request that removes nothing
// allocates nothing.
type stripper struct {
	w        http.ResponseWriter
	names    []string
	stripped bool
}

func (s *stripper) strip() {
	h := s.w.Header()
	for _, n := range s.names {
		delete(h, n)
	}
}

// Header returns the underlying writer's headers.
func (s *stripper) Header() http.Header { return s.w.Header() }

// WriteHeader strips the headers, then writes the status (informational
// 1xx responses included: their headers go out too).
func (s *stripper) WriteHeader(code int) {
	s.strip()
	if code >= 200 {
		s.stripped = true
	}
	s.w.WriteHeader(code)
}

// Write strips the headers before the first body write, which sends them.
func (s *stripper) Write(b []byte) (int, error) {
	if !s.stripped {
		s.strip()
		s.stripped = true
	}
	return s.w.Write(b)
}

// FlushError strips the headers (a flush commits them) and flushes.
func (s *stripper) FlushError() error {
	if !s.stripped {
		s.strip()
		s.stripped = true
	}
	return http.NewResponseController(s.w).Flush()
}

// Unwrap returns the underlying writer, for http.ResponseController.
func (s *stripper) Unwrap() http.ResponseWriter { return s.w }
