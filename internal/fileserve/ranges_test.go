package fileserve

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	t.Parallel()
	const size = 100
	cases := []struct {
		header string
		want   []Range // nil with ok false: ignored
		ok     bool
		err    error
	}{
		{"bytes=0-9", []Range{{0, 10}}, true, nil},
		{"bytes=90-", []Range{{90, 10}}, true, nil},
		{"bytes=-10", []Range{{90, 10}}, true, nil},
		{"bytes=-1000", []Range{{0, 100}}, true, nil},
		{"bytes=95-1000", []Range{{95, 5}}, true, nil},
		{"BYTES = 1-1", []Range{{1, 1}}, true, nil},
		{"bytes=1-1, 3-3", []Range{{1, 1}, {3, 1}}, true, nil},
		{"bytes=3-3,1-1", []Range{{3, 1}, {1, 1}}, true, nil}, // order kept when nothing merges
		{"bytes=5-9,0-4", []Range{{0, 10}}, true, nil},        // adjacent: merged, ascending
		{"bytes=0-50,10-20,40-60", []Range{{0, 61}}, true, nil},
		{"bytes=0-0,0-0,0-0", []Range{{0, 1}}, true, nil},
		{"bytes=,,1-1,,", []Range{{1, 1}}, true, nil},
		{"bytes=200-300,1-1", []Range{{1, 1}}, true, nil},
		{"bytes=99999999999999999999999-", nil, false, ErrUnsatisfiable},
		{"bytes=0-99999999999999999999999", []Range{{0, 100}}, true, nil},
		{"bytes=-99999999999999999999999", []Range{{0, 100}}, true, nil},
		{"bytes=100-", nil, false, ErrUnsatisfiable},
		{"bytes=-0", nil, false, ErrUnsatisfiable},
		{"bytes=", nil, false, ErrMalformedRange},
		{"bytes=,", nil, false, ErrMalformedRange},
		{"bytes=a-b", nil, false, ErrMalformedRange},
		{"bytes=5", nil, false, ErrMalformedRange},
		{"bytes=9-5", nil, false, ErrMalformedRange},
		{"bytes=-", nil, false, ErrMalformedRange},
		{"bytes=+1-2", nil, false, ErrMalformedRange},
		{"bytes=1-2,x", nil, false, ErrMalformedRange},
		{"items=0-9", nil, false, nil},
		{"0-9", nil, false, nil},
		{"", nil, false, nil},
	}
	for _, tc := range cases {
		got, ok, err := ParseRange(tc.header, size, 0)
		if !errors.Is(err, tc.err) || ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("ParseRange(%q) = %v, %v, %v; want %v, %v, %v", tc.header, got, ok, err, tc.want, tc.ok, tc.err)
		}
	}
	if _, ok, err := ParseRange("bytes=0-0", 0, 0); ok || err != nil {
		t.Errorf("an empty file: ok %v, err %v; want the header ignored", ok, err)
	}
}

func TestParseRangeCap(t *testing.T) {
	t.Parallel()
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("bytes=")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(2 * i))
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(2 * i))
		}
		return b.String()
	}
	if got, ok, err := ParseRange(many(DefaultMaxRanges), 1<<20, 0); !ok || err != nil || len(got) != DefaultMaxRanges {
		t.Errorf("%d ranges: %d ranges, %v, %v", DefaultMaxRanges, len(got), ok, err)
	}
	if got, ok, err := ParseRange(many(DefaultMaxRanges+1), 1<<20, 0); ok || err != nil || got != nil {
		t.Errorf("%d ranges: %d ranges, %v, %v; want the header ignored", DefaultMaxRanges+1, len(got), ok, err)
	}
	if _, ok, _ := ParseRange(many(3), 1<<20, 2); ok {
		t.Error("3 ranges with a cap of 2 were honoured")
	}
	// A malformed spec past the cap is never read: the header is ignored.
	if _, ok, err := ParseRange(many(DefaultMaxRanges+1)+",garbage", 1<<20, 0); ok || err != nil {
		t.Errorf("over the cap with garbage after: %v %v", ok, err)
	}
}

// FuzzParseRange checks the promises ParseRange makes whatever the header:
// ranges inside the file, never empty, never overlapping or touching, never
// more than the cap, never adding up to more than the file.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=-5", "bytes=5-", "bytes=0-0,0-0", "bytes=1-2,4-5,-3",
		"bytes=9-5", "bytes=,", "Bytes=1-1", "bytes=99999999999999999999-", "bytes= 1 - 2 ", "x=1-2", "bytes=0-1,1-2,2-3"} {
		f.Add(s, int64(10), 3)
	}
	f.Fuzz(func(t *testing.T, header string, size int64, maxRanges int) {
		if size < 0 {
			size = -size
		}
		if size < 0 { // math.MinInt64
			size = 0
		}
		maxRanges %= 300
		got, ok, err := ParseRange(header, size, maxRanges)
		if err != nil || !ok {
			if got != nil {
				t.Fatalf("ranges %v with ok %v, err %v", got, ok, err)
			}
			return
		}
		limit := maxRanges
		if limit < 1 {
			limit = DefaultMaxRanges
		}
		if len(got) == 0 || len(got) > limit {
			t.Fatalf("%d ranges (cap %d)", len(got), limit)
		}
		var sum int64
		sorted := slices.Clone(got)
		slices.SortFunc(sorted, func(a, b Range) int { return int(max(min(a.Start-b.Start, 1), -1)) })
		for i, r := range sorted {
			if r.Start < 0 || r.Length <= 0 || r.Start+r.Length > size || r.Start+r.Length < r.Start {
				t.Fatalf("range %+v outside a file of %d bytes", r, size)
			}
			if i > 0 && sorted[i-1].Start+sorted[i-1].Length >= r.Start {
				t.Fatalf("ranges %+v and %+v overlap or touch", sorted[i-1], r)
			}
			sum += r.Length
		}
		if sum > size {
			t.Fatalf("ranges add up to %d bytes of %d", sum, size)
		}
	})
}
