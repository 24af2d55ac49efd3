package cache

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// entry is a stored response, or (Vary set) the index of a URL whose
// responses vary.
type entry struct {
	Status int         `json:"s,omitempty"`
	Header http.Header `json:"h,omitempty"`
	Body   []byte      `json:"b,omitempty"`
	Stored int64       `json:"t,omitempty"` // Unix ms
	Vary   []string    `json:"v,omitempty"`
}

func encodeEntry(e *entry) []byte {
	b, _ := json.Marshal(e) // plain types: cannot fail
	return b
}

func decodeEntry(b []byte) (*entry, error) {
	e := new(entry)
	if err := json.Unmarshal(b, e); err != nil {
		return nil, err
	}
	return e, nil
}

// cacheControl holds the directives of Cache-Control fields, lower-cased.
type cacheControl map[string]string

func parseCacheControl(values []string) cacheControl {
	cc := cacheControl{}
	for _, v := range values {
		for d := range strings.SplitSeq(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				cc[name] = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
	}
	return cc
}

func (cc cacheControl) has(name string) bool { _, ok := cc[name]; return ok }

func (cc cacheControl) value(name string) string { return cc[name] }

// seconds returns a delta-seconds directive as a duration.
func (cc cacheControl) seconds(name string) (time.Duration, bool) {
	v, ok := cc[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, true // malformed: treated as stale (RFC 9111 §4.2.1)
	}
	return time.Duration(min(n, 1<<31)) * time.Second, true
}

// capture passes the response through while keeping a copy of its status,
// headers and body, unless it turns out to be a stream (flushed,
// hijacked) or too large.
type capture struct {
	http.ResponseWriter
	max         int
	status      int
	header      http.Header
	buf         []byte
	wroteHeader bool
	uncacheable bool
}

func (w *capture) WriteHeader(code int) {
	if code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if !w.wroteHeader {
		w.wroteHeader, w.status = true, code
		w.header = w.ResponseWriter.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *capture) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !w.uncacheable {
		if len(w.buf)+len(p) > w.max {
			w.uncacheable, w.buf = true, nil
		} else {
			w.buf = append(w.buf, p...)
		}
	}
	return w.ResponseWriter.Write(p)
}

// FlushError makes the response a stream, which is not stored.
func (w *capture) FlushError() error {
	w.uncacheable = true
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack hands the connection over; nothing is stored.
func (w *capture) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.uncacheable = true
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap returns the wrapped writer.
func (w *capture) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *capture) cacheable() bool { return w.wroteHeader && !w.uncacheable }
