package storetest

import (
	"bytes"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nexios-go/nexios/cache"
)

// Cache runs the conformance suite for a cache.Cache. newCache returns
// the cache under test; it is called once per subtest. The cache must hold
// at least a few hundred small entries without evicting them.
//
// It checks: values round-trip byte for byte (binary, empty, 1 MiB); a
// missing key is a miss, not an error; Set replaces; Delete removes and
// ignores unknown keys; an entry is gone after its TTL and not before;
// values are copied in and out; a TTL that is not positive is refused;
// concurrent writers of one key leave one of their values, whole.
func Cache(t *testing.T, newCache func(t *testing.T) cache.Cache) {
	t.Helper()
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, c cache.Cache)
	}{
		{"RoundTrip", cacheRoundTrip},
		{"ReplaceDelete", cacheReplaceDelete},
		{"Expiry", cacheExpiry},
		{"Copies", cacheCopies},
		{"Concurrent", cacheConcurrent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newCache(t))
		})
	}
}

func get(t *testing.T, c cache.Cache, key string, want []byte, what string) {
	t.Helper()
	v, ok, err := c.Get(ctx, key)
	if err != nil {
		t.Fatalf("%s: Get: %v", what, err)
	}
	if want == nil {
		if ok {
			t.Fatalf("%s: Get = %q, want a miss", what, v)
		}
		return
	}
	if !ok || !bytes.Equal(v, want) {
		t.Fatalf("%s: Get = %.40q (hit %v), want %.40q", what, v, ok, want)
	}
}

func cacheRoundTrip(t *testing.T, c cache.Cache) {
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	for name, v := range map[string][]byte{"text": []byte("hello"), "binary": bin, "empty": {}, "1MiB": big} {
		key := unique("rt-" + name)
		get(t, c, key, nil, "before Set")
		must(t, c.Set(ctx, key, v, time.Hour))
		get(t, c, key, v, name)
	}
	odd := unique("key with spaces, ünïcode and {braces}\n")
	must(t, c.Set(ctx, odd, []byte("odd"), time.Hour))
	get(t, c, odd, []byte("odd"), "an unusual key")
	if err := c.Set(ctx, unique("ttl"), []byte("x"), 0); err == nil {
		t.Fatal("Set with ttl 0 succeeded")
	}
	if err := c.Set(ctx, unique("ttl"), []byte("x"), -time.Second); err == nil {
		t.Fatal("Set with a negative ttl succeeded")
	}
}

func cacheReplaceDelete(t *testing.T, c cache.Cache) {
	key, other := unique("rd"), unique("rd")
	must(t, c.Set(ctx, key, []byte("one"), time.Hour))
	must(t, c.Set(ctx, other, []byte("other"), time.Hour))
	must(t, c.Set(ctx, key, []byte("two"), time.Hour))
	get(t, c, key, []byte("two"), "after replacing")
	must(t, c.Delete(ctx, key))
	get(t, c, key, nil, "after Delete")
	get(t, c, other, []byte("other"), "another key after Delete")
	must(t, c.Delete(ctx, key))
	must(t, c.Delete(ctx, unique("unknown")))
}

func cacheExpiry(t *testing.T, c cache.Cache) {
	start := time.Now()
	short, long := unique("exp"), unique("exp")
	must(t, c.Set(ctx, short, []byte("s"), 300*time.Millisecond))
	must(t, c.Set(ctx, long, []byte("l"), time.Hour))
	sleepUntil(start.Add(150 * time.Millisecond))
	get(t, c, short, []byte("s"), "before its TTL")
	// Replacing renews the TTL.
	must(t, c.Set(ctx, long, []byte("l2"), 300*time.Millisecond))
	renewed := time.Now()
	sleepUntil(start.Add(500 * time.Millisecond))
	get(t, c, short, nil, "after its TTL")
	if time.Since(renewed) < 250*time.Millisecond {
		get(t, c, long, []byte("l2"), "a replaced entry, before its new TTL")
	}
	sleepUntil(renewed.Add(500 * time.Millisecond))
	get(t, c, long, nil, "a replaced entry after its new TTL")
}

func cacheCopies(t *testing.T, c cache.Cache) {
	key := unique("copy")
	v := []byte("original")
	must(t, c.Set(ctx, key, v, time.Hour))
	copy(v, "CHANGED!")
	got, ok, err := c.Get(ctx, key)
	if err != nil || !ok || string(got) != "original" {
		t.Fatalf("a change to the slice after Set reached the cache: %q %v %v", got, ok, err)
	}
	copy(got, "changed!")
	get(t, c, key, []byte("original"), "after changing a value Get returned")
}

// 20 goroutines write one key 10 times each while others read it: every
// read is a miss or a whole value that was written.
func cacheConcurrent(t *testing.T, c cache.Cache) {
	key := unique("conc")
	value := func(i int) []byte { return bytes.Repeat([]byte(fmt.Sprintf("<%03d>", i)), 200) }
	var bad atomic.Int32
	together(40, func(i int) {
		for j := range 10 {
			if i < 20 {
				if err := c.Set(ctx, key, value(i*10+j), time.Hour); err != nil {
					bad.Add(1)
				}
				continue
			}
			v, ok, err := c.Get(ctx, key)
			if err != nil || ok && (len(v) != 1000 || strings.Count(string(v), string(v[:5])) != 200) {
				bad.Add(1)
			}
		}
	})
	if bad.Load() != 0 {
		t.Fatalf("%d torn values or errors under concurrent use", bad.Load())
	}
	if _, ok, err := c.Get(ctx, key); err != nil || !ok {
		t.Fatalf("after the writers: hit %v, %v", ok, err)
	}
}
