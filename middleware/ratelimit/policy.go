package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"
)

// Algorithm selects how a Policy counts requests.
type Algorithm uint8

const (
	// SlidingWindow is the sliding-window counter (the default): the count
	// of the previous fixed window, weighted by the share of it still inside
	// a window ending now, plus the count of the current fixed window. It
	// keeps two counters per key (not a log of timestamps), smooths the
	// double burst a fixed window allows at its boundary, and assumes the
	// previous window's requests were evenly spread.
	SlidingWindow Algorithm = iota
	// FixedWindow counts requests in windows aligned to the Unix epoch
	// (every instance agrees on the boundaries) and resets the count when a
	// new window starts. A client can send Limit requests at the end of one
	// window and Limit more at the start of the next.
	FixedWindow
	// TokenBucket is the generic cell rate algorithm (GCRA), equivalent to
	// a token bucket of Burst tokens refilled at Limit per Window: requests
	// are spaced at Window/Limit on average, with bursts of up to Burst. It
	// stores one timestamp per key.
	TokenBucket
)

// GCRA is another name for TokenBucket.
const GCRA = TokenBucket

// String returns the algorithm's name.
func (a Algorithm) String() string {
	switch a {
	case SlidingWindow:
		return "sliding-window"
	case FixedWindow:
		return "fixed-window"
	case TokenBucket:
		return "token-bucket"
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// Policy is a rate limit: Limit requests per Window, counted with
// Algorithm. It is what a Store applies atomically to one key.
type Policy struct {
	Algorithm Algorithm
	// Limit is the number of requests allowed per Window (> 0).
	Limit int
	// Window is the length of the window (> 0).
	Window time.Duration
	// Burst is the bucket size of TokenBucket: how many requests may be sent
	// back to back. 0 means Limit. Must be 0 for the other algorithms.
	Burst int
}

// maxWindow keeps window arithmetic on Unix nanoseconds far from overflow.
const maxWindow = 10 * 366 * 24 * time.Hour

// Validate reports whether p is usable, with Burst still 0 allowed.
func (p Policy) Validate() error {
	switch {
	case p.Algorithm > TokenBucket:
		return fmt.Errorf("ratelimit: unknown algorithm %d", p.Algorithm)
	case p.Limit <= 0:
		return fmt.Errorf("ratelimit: Limit must be positive, got %d", p.Limit)
	case p.Limit > maxLimit:
		// Counts add a cost to the current count: a limit near the top of
		// int would overflow (and divide by zero in the sliding window).
		return fmt.Errorf("ratelimit: Limit must be at most %d, got %d", maxLimit, p.Limit)
	case p.Burst > maxLimit:
		return fmt.Errorf("ratelimit: Burst must be at most %d, got %d", maxLimit, p.Burst)
	case p.Window <= 0 || p.Window > maxWindow:
		return fmt.Errorf("ratelimit: Window must be positive and at most %v, got %v", maxWindow, p.Window)
	case p.Burst < 0:
		return fmt.Errorf("ratelimit: Burst must not be negative, got %d", p.Burst)
	case p.Burst > 0 && p.Algorithm != TokenBucket:
		return errors.New("ratelimit: Burst applies to TokenBucket only")
	case p.Algorithm == TokenBucket:
		if hi, lo := bits.Mul64(uint64(p.capacity()), uint64(p.interval())); hi != 0 || lo > math.MaxInt64/2 {
			return errors.New("ratelimit: Burst × Window/Limit overflows; use a smaller Burst or Window")
		}
	}
	return nil
}

// maxLimit bounds Limit and Burst far below int's range, so that adding
// a cost to a count never overflows.
const maxLimit = 1 << 40

// Capacity is the most requests the policy admits at once: Burst for
// TokenBucket (Limit when Burst is 0), Limit otherwise. Result.Limit
// reports it.
func (p Policy) Capacity() int { return p.capacity() }

func (p Policy) capacity() int {
	if p.Algorithm == TokenBucket && p.Burst > 0 {
		return p.Burst
	}
	return p.Limit
}

// interval is the GCRA emission interval: the time one request "costs".
func (p Policy) interval() int64 {
	t := int64(p.Window) / int64(p.Limit)
	if t < 1 {
		t = 1
	}
	return t
}

// State is the per-key state of a Policy, as a Store keeps it. The zero
// State is a key never seen (or expired).
type State struct {
	// Time is the start of the counted window in Unix nanoseconds
	// (FixedWindow, SlidingWindow), or the theoretical arrival time in
	// Unix nanoseconds (TokenBucket).
	Time int64
	// Count is the number of requests admitted in the window starting at
	// Time.
	Count int64
	// Prev is the number admitted in the window before it (SlidingWindow).
	Prev int64
}

// Result is the outcome of a Take.
type Result struct {
	// Allowed reports whether the request was admitted (and counted).
	Allowed bool
	// Limit is the policy's capacity (see Policy.Capacity).
	Limit int
	// Remaining is how many more requests would be admitted now.
	Remaining int
	// Reset is how long until the key is back at its full quota if no more
	// requests arrive: for FixedWindow the end of the window. It is 0 for a
	// key at full quota. A store may forget a key once Reset has passed:
	// its state is then the same as a fresh key's.
	Reset time.Duration
	// RetryAfter is how long until the rejected request would be admitted;
	// 0 when Allowed.
	RetryAfter time.Duration
}

// Apply runs the policy for a request of cost n (usually 1) arriving at now
// against st, the key's stored state, and returns the new state and the
// result. Cost 0 only reads: the state does not change, and Allowed and
// RetryAfter tell whether a request of cost 1 would be admitted. It is a pure function: a Store calls it inside
// whatever makes read-and-update atomic (a mutex, a transaction), or
// implements the same arithmetic in its own language (a Redis script). A
// rejected request does not change the state. p must be valid and n must
// be between 0 and p.Capacity().
func (p Policy) Apply(st State, now time.Time, n int) (State, Result) {
	if p.Limit <= 0 || p.Window <= 0 || n < 0 || n > p.capacity() {
		return st, Result{Limit: p.capacity()}
	}
	t := now.UnixNano()
	if n == 0 {
		// A read: the state and quota as they are, and whether a request
		// of cost 1 would be admitted.
		st0, r0 := p.apply(st, t, 0)
		_, r1 := p.apply(st, t, 1)
		r0.Allowed, r0.RetryAfter = r1.Allowed, r1.RetryAfter
		return st0, r0
	}
	return p.apply(st, t, int64(n))
}

func (p Policy) apply(st State, t, n int64) (State, Result) {
	switch p.Algorithm {
	case FixedWindow:
		return p.fixed(st, t, n)
	case TokenBucket:
		return p.gcra(st, t, n)
	default:
		return p.sliding(st, t, n)
	}
}

// windowStart returns the start of the epoch-aligned window holding t.
func windowStart(t, w int64) int64 {
	m := t % w
	if m < 0 {
		m += w
	}
	return t - m
}

func (p Policy) fixed(st State, t, n int64) (State, Result) {
	w, limit := int64(p.Window), int64(p.Limit)
	start := windowStart(t, w)
	var count int64
	switch {
	case st.Time == start:
		count = st.Count
	case st.Time > start: // the clock went back: keep counting the newer window
		start, count = st.Time, st.Count
	}
	end := start + w
	res := Result{Limit: p.Limit}
	if count+n > limit {
		res.Remaining = int(limit - count)
		res.RetryAfter = time.Duration(end - t)
	} else {
		count += n
		res.Allowed = true
		res.Remaining = int(limit - count)
	}
	if count > 0 {
		res.Reset = time.Duration(end - t)
	}
	return State{Time: start, Count: count}, res
}

func (p Policy) sliding(st State, t, n int64) (State, Result) {
	w, limit := int64(p.Window), int64(p.Limit)
	start := windowStart(t, w)
	var prev, curr int64
	switch {
	case st.Time == start:
		prev, curr = st.Prev, st.Count
	case st.Time == start-w:
		prev = st.Count
	case st.Time > start: // the clock went back: keep counting the newer window
		start, prev, curr = st.Time, st.Prev, st.Count
	}
	elapsed := min(max(t-start, 0), w-1)
	rest := uint64(w - elapsed) // share of the previous window still inside, × w
	// Estimated count × w: prev×rest + curr×w, compared exactly in 128 bits.
	capHi, capLo := bits.Mul64(uint64(limit), uint64(w))
	res := Result{Limit: p.Limit}
	used := curr
	if estHi, estLo := weighted(prev, rest, curr+n, w); !less128(capHi, capLo, estHi, estLo) {
		used += n
		res.Allowed = true
	} else {
		res.RetryAfter = time.Duration(p.slidingRetry(prev, curr, n, elapsed))
	}
	estHi, estLo := weighted(prev, rest, used, w)
	if !less128(capHi, capLo, estHi, estLo) {
		hi, lo := sub128(capHi, capLo, estHi, estLo)
		q, _ := bits.Div64(hi, lo, uint64(w)) // ≤ limit: cannot overflow
		res.Remaining = int(q)
	}
	switch {
	case used > 0:
		res.Reset = time.Duration(start + 2*w - t)
	case prev > 0:
		res.Reset = time.Duration(start + w - t)
	}
	return State{Time: start, Count: used, Prev: prev}, res
}

// slidingRetry returns how long after now (elapsed into the window) a
// request of cost n is admitted if nothing else arrives.
func (p Policy) slidingRetry(prev, curr, n, elapsed int64) int64 {
	w, limit := int64(p.Window), int64(p.Limit)
	if curr+n <= limit {
		// Still this window, once prev×(w−e) ≤ (limit−curr−n)×w.
		hi, lo := bits.Mul64(uint64(limit-curr-n), uint64(w))
		q, _ := bits.Div64(hi, lo, uint64(prev)) // < w−elapsed: prev > 0 and hi < prev
		return w - int64(q) - elapsed
	}
	// Next window, where curr becomes the previous count: once
	// curr×(w−e) ≤ (limit−n)×w.
	hi, lo := bits.Mul64(uint64(limit-n), uint64(w))
	q, _ := bits.Div64(hi, lo, uint64(curr)) // < w: curr > limit−n
	return w - elapsed + w - int64(q)
}

func (p Policy) gcra(st State, t, n int64) (State, Result) {
	step := p.interval()
	span := int64(p.capacity()) * step // the whole bucket, in time
	tat := max(st.Time, t)
	res := Result{Limit: p.capacity()}
	// The theoretical arrival time after this request is tat + n×step,
	// admitted once it is within span of t. tat − span comes first: tat
	// may already be span ahead of t, and tat + n×step could then pass
	// int64 (Validate bounds span, and so t + span, not t + 2×span).
	if allowAt := tat - span + n*step; t < allowAt {
		res.RetryAfter = time.Duration(allowAt - t)
	} else {
		res.Allowed = true
		tat = allowAt + span
		st.Time = tat
	}
	res.Remaining = int((span - (tat - t)) / step)
	res.Reset = time.Duration(tat - t)
	return State{Time: st.Time}, res
}

// weighted returns prev×rest + used×w in 128 bits.
func weighted(prev int64, rest uint64, used, w int64) (hi, lo uint64) {
	h1, l1 := bits.Mul64(uint64(prev), rest)
	h2, l2 := bits.Mul64(uint64(used), uint64(w))
	lo, c := bits.Add64(l1, l2, 0)
	hi, _ = bits.Add64(h1, h2, c)
	return hi, lo
}

// less128 reports whether a < b.
func less128(aHi, aLo, bHi, bLo uint64) bool {
	return aHi < bHi || aHi == bHi && aLo < bLo
}

func sub128(aHi, aLo, bHi, bLo uint64) (hi, lo uint64) {
	lo, b := bits.Sub64(aLo, bLo, 0)
	hi, _ = bits.Sub64(aHi, bHi, b)
	return hi, lo
}
