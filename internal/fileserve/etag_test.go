package fileserve

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestETag(t *testing.T) {
	t.Parallel()
	mod := time.Unix(1_700_000_000, 123)
	body := strings.NewReader("hello")
	tag, err := ETag(mod, 5, body)
	if want := fmt.Sprintf(`"%x-%x"`, mod.UnixNano(), 5); err != nil || tag != want {
		t.Errorf("modtime tag = %q, %v", tag, err)
	}
	if pos, _ := body.Seek(0, io.SeekCurrent); pos != 0 {
		t.Errorf("a modtime tag read the body (at %d)", pos)
	}
	sumTag := regexp.MustCompile(`^"5-[0-9a-f]{16}"$`)
	for _, mt := range []time.Time{{}, time.Unix(0, 0), time.Unix(0, 5)} {
		body.Seek(3, io.SeekStart)
		tag, err := ETag(mt, 5, body)
		if err != nil || !sumTag.MatchString(tag) {
			t.Errorf("checksum tag for %v = %q, %v", mt, tag, err)
		}
		if pos, _ := body.Seek(0, io.SeekCurrent); pos != 0 {
			t.Errorf("the body was left at %d", pos)
		}
	}
	a, _ := ETag(time.Time{}, 5, strings.NewReader("hello"))
	b, _ := ETag(time.Time{}, 5, strings.NewReader("hellO"))
	if a == b {
		t.Errorf("different content, same tag %s", a)
	}
}

func TestTagCache(t *testing.T) {
	t.Parallel()
	var c TagCache
	first, err := c.ETag("k", time.Time{}, 5, strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	// Same key: the remembered tag, without reading.
	if got, _ := c.ETag("k", time.Time{}, 5, failingReader{}); got != first {
		t.Errorf("cached tag %q, want %q", got, first)
	}
	if _, err := c.ETag("other", time.Time{}, 5, failingReader{}); err == nil {
		t.Error("a read error was not reported")
	}
	for i := range maxCachedTags + 10 {
		if _, err := c.ETag(i, time.Time{}, 1, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.tags); n > maxCachedTags {
		t.Errorf("cache grew to %d entries", n)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error)       { return 0, io.ErrUnexpectedEOF }
func (failingReader) Seek(int64, int) (int64, error) { return 0, nil }
