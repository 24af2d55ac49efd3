package fileserve

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
)

// DefaultMaxRanges is how many ranges one request may ask for before the
// Range header is ignored and the whole file sent: Apache's MaxRanges
// default. Real clients (media players, PDF readers, download managers)
// ask for a handful; thousands of tiny ranges are an attack on CPU and
// response size.
const DefaultMaxRanges = 200

var (
	// ErrMalformedRange is a Range header in bytes that does not parse:
	// 416, as RFC 9110 §14.2 advises.
	ErrMalformedRange = errors.New("fileserve: malformed Range header")
	// ErrUnsatisfiable is a Range header none of whose ranges overlaps the
	// file: 416 with Content-Range: bytes */size.
	ErrUnsatisfiable = errors.New("fileserve: no satisfiable range")
)

// Range is a byte range of a representation: Length bytes from Start.
type Range struct {
	Start, Length int64
}

// ContentRange formats r as a Content-Range value for a representation
// of size bytes ("bytes 0-99/1000").
func (r Range) ContentRange(size int64) string {
	b := make([]byte, 0, 48)
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, r.Start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, r.Start+r.Length-1, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	return string(b)
}

// ParseRange parses a Range header value for a representation of size
// bytes (RFC 9110 §14.1.1, §14.2). It returns:
//
//   - ok false: ignore the header and send the whole representation (a
//     unit other than bytes, more than maxRanges ranges, an empty file, or
//     no '=' at all);
//   - an error: ErrMalformedRange or ErrUnsatisfiable, both 416;
//   - otherwise the satisfiable ranges, clamped to the size, with
//     overlapping and adjacent ones merged (then in ascending order;
//     otherwise in the order asked). Their lengths never add up to more
//     than size.
//
// At most maxRanges+1 range specs are read, so a huge header costs no
// more than a small one. maxRanges < 1 means DefaultMaxRanges.
func ParseRange(header string, size int64, maxRanges int) (ranges []Range, ok bool, err error) {
	if maxRanges < 1 {
		maxRanges = DefaultMaxRanges
	}
	unit, set, found := strings.Cut(header, "=")
	if !found || !strings.EqualFold(strings.Trim(unit, " \t"), "bytes") || size <= 0 {
		return nil, false, nil
	}
	specs := 0
	for len(set) > 0 {
		var spec string
		spec, set, _ = strings.Cut(set, ",")
		spec = strings.Trim(spec, " \t")
		if spec == "" {
			continue // empty list elements are allowed (RFC 9110 §5.6.1)
		}
		if specs++; specs > maxRanges {
			return nil, false, nil
		}
		r, satisfiable, err := parseSpec(spec, size)
		if err != nil {
			return nil, false, err
		}
		if satisfiable {
			ranges = append(ranges, r)
		}
	}
	switch {
	case specs == 0:
		return nil, false, ErrMalformedRange
	case len(ranges) == 0:
		return nil, false, ErrUnsatisfiable
	}
	return coalesce(ranges), true, nil
}

// parseSpec parses one int-range ("10-20", "10-") or suffix-range ("-5").
func parseSpec(spec string, size int64) (r Range, satisfiable bool, err error) {
	first, last, found := strings.Cut(spec, "-")
	if !found {
		return Range{}, false, ErrMalformedRange
	}
	first, last = strings.Trim(first, " \t"), strings.Trim(last, " \t")
	if first == "" {
		n, ok := parseDigits(last)
		if !ok {
			return Range{}, false, ErrMalformedRange
		}
		if n == 0 {
			return Range{}, false, nil // a zero-length suffix selects nothing
		}
		n = min(n, size)
		return Range{Start: size - n, Length: n}, true, nil
	}
	start, ok := parseDigits(first)
	if !ok {
		return Range{}, false, ErrMalformedRange
	}
	end := size - 1
	if last != "" {
		if end, ok = parseDigits(last); !ok || end < start {
			return Range{}, false, ErrMalformedRange
		}
		end = min(end, size-1)
	}
	if start >= size {
		return Range{}, false, nil
	}
	return Range{Start: start, Length: end - start + 1}, true, nil
}

// parseDigits parses 1*DIGIT, saturating at math.MaxInt64: a position
// past any real size is valid syntax, to be clamped or found
// unsatisfiable, not an error.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			n = math.MaxInt64
			continue
		}
		n = n*10 + d
	}
	return n, true
}

// coalesce merges overlapping and adjacent ranges (RFC 9110 §14.6 allows
// it whatever the order asked). When none touch, the order asked is kept.
func coalesce(rs []Range) []Range {
	if len(rs) < 2 {
		return rs
	}
	sorted := slices.Clone(rs)
	slices.SortFunc(sorted, func(a, b Range) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	merged := sorted[:1]
	touched := false
	for _, r := range sorted[1:] {
		last := &merged[len(merged)-1]
		if end := last.Start + last.Length; r.Start <= end {
			last.Length = max(end, r.Start+r.Length) - last.Start
			touched = true
			continue
		}
		merged = append(merged, r)
	}
	if !touched {
		return rs
	}
	return merged
}
