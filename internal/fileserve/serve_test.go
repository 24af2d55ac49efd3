package fileserve

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fileBody is 100 KiB of distinct bytes.
var fileBody = func() []byte {
	b := make([]byte, 100<<10)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}()

var fileMod = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func content(max int) *Content {
	return &Content{Name: "data.bin", Body: bytes.NewReader(fileBody), Size: int64(len(fileBody)),
		ModTime: fileMod, ETag: `"t1"`, MaxRanges: max}
}

func serve(t testing.TB, c *Content, method string, headers ...string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	r := httptest.NewRequest(method, "/f", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	return w, Serve(w, r, c)
}

func TestServeWhole(t *testing.T) {
	t.Parallel()
	w, err := serve(t, content(0), "GET")
	if err != nil || w.Code != 200 || !bytes.Equal(w.Body.Bytes(), fileBody) {
		t.Fatalf("GET = %d, %v", w.Code, err)
	}
	want := map[string]string{
		"Content-Type": "application/octet-stream", "Content-Length": strconv.Itoa(len(fileBody)), "Accept-Ranges": "bytes",
		"Etag": `"t1"`, "Last-Modified": "Wed, 01 May 2024 12:00:00 GMT", "X-Content-Type-Options": "nosniff",
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	w, _ = serve(t, content(0), "HEAD")
	if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != strconv.Itoa(len(fileBody)) {
		t.Errorf("HEAD = %d, %d bytes, %v", w.Code, w.Body.Len(), w.Header())
	}
}

func TestServeNotModified(t *testing.T) {
	t.Parallel()
	c := content(0)
	c.CacheControl = "max-age=60"
	c.Disposition = "inline"
	r := httptest.NewRequest("GET", "/f", nil)
	r.Header.Set("If-None-Match", `"t1"`)
	w := httptest.NewRecorder()
	w.Header().Set("Content-Type", "text/plain") // set by the handler earlier
	if err := Serve(w, r, c); err != nil || w.Code != 304 || w.Body.Len() != 0 {
		t.Fatalf("304 = %d, %v", w.Code, err)
	}
	h := w.Header()
	if h.Get("Etag") != `"t1"` || h.Get("Cache-Control") != "max-age=60" || h.Get("Content-Type") != "" ||
		h.Get("Content-Length") != "" || h.Get("Content-Disposition") != "" || h.Get("Last-Modified") != "" {
		t.Errorf("304 headers %v", h)
	}
}

// TestServeRefusals checks that 412 and 416 come back as errors with
// nothing written, so the door renders them in its error format.
func TestServeRefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		headers []string
		status  int
		cr      string
	}{
		{[]string{"If-Match", `"other"`}, 412, ""},
		{[]string{"Range", "bytes=200000-"}, 416, "bytes */102400"},
		{[]string{"Range", "bytes=x"}, 416, "bytes */102400"},
	}
	for _, tc := range cases {
		w, err := serve(t, content(0), "GET", tc.headers...)
		var fe *Error
		if !errors.As(err, &fe) || fe.Status != tc.status || fe.Header.Get("Content-Range") != tc.cr || fe.Detail == "" {
			t.Errorf("%v: %v", tc.headers, err)
		}
		if w.Body.Len() != 0 || len(w.Header()) != 0 || w.Flushed {
			t.Errorf("%v: wrote %d %v %q", tc.headers, w.Code, w.Header(), w.Body)
		}
	}
}

func TestServeRanges(t *testing.T) {
	t.Parallel()
	w, err := serve(t, content(0), "GET", "Range", "bytes=10-19")
	if err != nil || w.Code != 206 || !bytes.Equal(w.Body.Bytes(), fileBody[10:20]) || w.Header().Get("Content-Range") != "bytes 10-19/102400" ||
		w.Header().Get("Content-Length") != "10" {
		t.Errorf("single range = %d %v", w.Code, w.Header())
	}
	for _, method := range []string{"GET", "HEAD"} {
		w, err = serve(t, content(0), method, "Range", "bytes=0-1,100-199,-3")
		if err != nil || w.Code != 206 {
			t.Fatalf("%s multipart = %d, %v", method, w.Code, err)
		}
		mt, params, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
		if mt != "multipart/byteranges" {
			t.Fatalf("Content-Type %q", w.Header().Get("Content-Type"))
		}
		if method == "HEAD" {
			if w.Body.Len() != 0 {
				t.Error("HEAD sent a body")
			}
			continue
		}
		if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
			t.Errorf("Content-Length %s for %d bytes", cl, w.Body.Len())
		}
		mr := multipart.NewReader(w.Body, params["boundary"])
		for _, want := range []struct {
			from, to int
		}{{0, 2}, {100, 200}, {len(fileBody) - 3, len(fileBody)}} {
			p, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(p)
			cr := "bytes " + strconv.Itoa(want.from) + "-" + strconv.Itoa(want.to-1) + "/102400"
			if !bytes.Equal(b, fileBody[want.from:want.to]) || p.Header.Get("Content-Range") != cr || p.Header.Get("Content-Type") != "application/octet-stream" {
				t.Errorf("part %v: %d bytes, %v", want, len(b), p.Header)
			}
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Errorf("after the parts: %v", err)
		}
	}
	// Ranges off: the header is ignored and advertised as unsupported.
	w, _ = serve(t, content(-1), "GET", "Range", "bytes=0-1")
	if w.Code != 200 || w.Header().Get("Accept-Ranges") != "none" {
		t.Errorf("ranges off: %d %v", w.Code, w.Header())
	}
	// Range is defined for GET only (HEAD describes GET).
	w, _ = serve(t, content(0), "POST", "Range", "bytes=0-1")
	if w.Code != 200 {
		t.Errorf("POST with Range: %d", w.Code)
	}
}

func TestServeContentType(t *testing.T) {
	t.Parallel()
	html := []byte("<html><body>x</body></html>")
	cases := []struct {
		name, typeName, explicit, preset, want string
	}{
		{"a.css", "", "", "", "text/css; charset=utf-8"},
		{"blob", "report.csv", "", "", "text/csv; charset=utf-8"},
		{"blob", "", "", "", "text/html; charset=utf-8"},
		{"a.css", "", "", "text/x-preset", "text/x-preset"},
		{"a.css", "", "application/x-explicit", "text/x-preset", "application/x-explicit"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		w := httptest.NewRecorder()
		if tc.preset != "" {
			w.Header().Set("Content-Type", tc.preset)
		}
		c := &Content{Name: tc.name, TypeName: tc.typeName, ContentType: tc.explicit, Body: bytes.NewReader(html), Size: int64(len(html))}
		if err := Serve(w, r, c); err != nil || w.Header().Get("Content-Type") != tc.want || w.Body.String() != string(html) {
			t.Errorf("%+v: %q %q %v", tc, w.Header().Get("Content-Type"), w.Body, err)
		}
	}
}

// TestManyRanges sends 50,000 one-byte ranges: the header is ignored past
// the cap (the whole file, 200) at a cost that does not grow with it, and
// at the cap the multipart answer stays proportionate.
func TestManyRanges(t *testing.T) {
	many := func(n, step int) string {
		var b strings.Builder
		b.WriteString("bytes=")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			p := strconv.Itoa(i * step % len(fileBody))
			b.WriteString(p + "-" + p)
		}
		return b.String()
	}
	huge := many(50_000, 2)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w, err := serve(t, content(0), "GET", "Range", huge)
	runtime.ReadMemStats(&after)
	if err != nil || w.Code != 200 || w.Body.Len() != len(fileBody) {
		t.Fatalf("50,000 ranges = %d, %d bytes, %v", w.Code, w.Body.Len(), err)
	}
	// The recorder holds the 100 KiB body; the rest is parsing and headers.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2<<20 {
		t.Errorf("50,000 ranges allocated %d bytes", alloc)
	} else {
		t.Logf("50,000 ranges: %d bytes allocated, %d-byte header", alloc, len(huge))
	}
	// At the cap: 200 parts, each a byte plus its part header.
	w, err = serve(t, content(0), "GET", "Range", many(DefaultMaxRanges, 2))
	if err != nil || w.Code != 206 {
		t.Fatalf("%d ranges = %d, %v", DefaultMaxRanges, w.Code, err)
	}
	if parts := strings.Count(w.Body.String(), "Content-Range: "); parts != DefaultMaxRanges || w.Body.Len() > DefaultMaxRanges*200 {
		t.Errorf("%d parts in %d bytes", parts, w.Body.Len())
	}
	// The same byte asked for 200 times is one range.
	w, _ = serve(t, content(0), "GET", "Range", many(DefaultMaxRanges, 0))
	if w.Code != 206 || w.Body.Len() != 1 || w.Header().Get("Content-Range") != "bytes 0-0/102400" {
		t.Errorf("200 copies of one range = %d, %d bytes, %v", w.Code, w.Body.Len(), w.Header())
	}
}

// BenchmarkManyRanges measures the worst header under the cap and one far
// beyond it.
func BenchmarkManyRanges(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("bytes=0-0")
	for i := 1; i < 50_000; i++ {
		sb.WriteString("," + strconv.Itoa(2*i%len(fileBody)) + "-" + strconv.Itoa(2*i%len(fileBody)))
	}
	r := httptest.NewRequest("GET", "/f", nil)
	r.Header.Set("Range", sb.String())
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		if err := Serve(w, r, content(0)); err != nil || w.Code != http.StatusOK {
			b.Fatal(w.Code, err)
		}
	}
}
