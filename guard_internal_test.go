package nexios

import (
	"bytes"
	"testing"
)

// referenceSmuggled is the scanner's specification, written plainly: split
// the whole input into lines, group them into blocks ended by empty lines,
// and report whether an ended block holds a line starting (in any case)
// with "content-length:" and one with "transfer-encoding:".
func referenceSmuggled(data []byte) bool {
	lines := bytes.Split(data, []byte("\n"))
	lines = lines[:len(lines)-1] // the last piece has no line end yet
	var cl, te bool
	for _, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\r"))
		lower := bytes.ToLower(l)
		switch {
		case len(l) == 0:
			if cl && te {
				return true
			}
			cl, te = false, false
		case bytes.HasPrefix(lower, []byte(clField)):
			cl = true
		case bytes.HasPrefix(lower, []byte(teField)):
			te = true
		}
	}
	return false
}

func TestHeadScanner(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     bool
	}{
		{"both", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", true},
		{"both, bare LF and odd case", "POST / HTTP/1.1\ntransfer-ENCODING: chunked\nCONTENT-length: 5\n\n", true},
		{"head not ended yet", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n", false},
		{"only one", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"in the second head", "GET / HTTP/1.1\r\n\r\nPOST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n", true},
		{"folded line is not a field", "POST / HTTP/1.1\r\nX: a\r\n Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", false},
		{"space before the colon", "POST / HTTP/1.1\r\nContent-Length : 5\r\nTransfer-Encoding: chunked\r\n\r\n", false},
	} {
		for split := 0; split <= len(tc.in); split++ {
			var s headScanner
			got := s.feed([]byte(tc.in[:split]))
			got = s.feed([]byte(tc.in[split:])) || got
			if got != tc.want {
				t.Errorf("%s, split at %d: %v, want %v", tc.name, split, got, tc.want)
				break
			}
		}
		if ref := referenceSmuggled([]byte(tc.in)); ref != tc.want {
			t.Errorf("%s: the reference says %v", tc.name, ref)
		}
	}
}

// FuzzHeadScanner checks the scanner against its reference for any bytes
// read in any pieces.
func FuzzHeadScanner(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), uint8(7), uint8(3))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), uint8(1), uint8(1))
	f.Add([]byte("\n\ncontent-length:\ntransfer-encoding:\n\r\n"), uint8(2), uint8(5))
	f.Fuzz(func(t *testing.T, data []byte, a, b uint8) {
		var s headScanner
		got := false
		rest := data
		for i := 0; len(rest) > 0; i++ {
			n := int(a)
			if i%2 == 1 {
				n = int(b)
			}
			n = min(max(n, 1), len(rest))
			got = s.feed(rest[:n]) || got
			rest = rest[n:]
		}
		if want := referenceSmuggled(data); got != want {
			t.Fatalf("scanner %v, reference %v for %q", got, want, data)
		}
	})
}
