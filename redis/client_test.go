package redis_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/redis"
)

func TestOpenURLForms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url  string
		kind redis.Kind
		err  string
	}{
		{url: "redis://localhost:6379/0", kind: redis.Standalone},
		{url: "rediss://user:pw@cache.example:6380/2?dial_timeout=3s&pool_size=20", kind: redis.Standalone},
		{url: "unix:///run/redis.sock?db=1", kind: redis.Standalone},
		{url: "redis://localhost?dialer_retries=3&dialer_retry_timeout=50ms", kind: redis.Standalone},
		{url: "redis+sentinel://sentinel1:26379/0?master_name=mymaster&addr=sentinel2:26379", kind: redis.Sentinel},
		{url: "rediss+sentinel://sentinel1:26379?master_name=mymaster", kind: redis.Sentinel},
		{url: "redis+cluster://node1:7000?addr=node2:7000&addr=node3:7000", kind: redis.Cluster},
		{url: "redis+sentinel://sentinel1:26379/0", err: "master_name"},
		{url: "http://localhost", err: "unsupported URL scheme"},
		{url: "redis+ring://localhost", err: "unsupported URL scheme"},
		{url: "unix+cluster:///x", err: "unsupported URL scheme"},
		{url: "redis://localhost?bogus=1", err: "unexpected option"},
		{url: "redis://localhost?dialer_retries=x", err: "dialer_retries"},
		{url: "redis://localhost/abc", err: "invalid database"},
		{url: "redis://:hunter2@localhost/0?bogus=1", err: "unexpected option"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			c, err := redis.Open(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("the password leaked into the error: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if c.Kind() != tc.kind {
				t.Fatalf("kind %v, want %v", c.Kind(), tc.kind)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(redis.EnvURL, "")
	if _, err := redis.FromEnv(); !errors.Is(err, redis.ErrNoURL) {
		t.Fatalf("unset: %v", err)
	}
	t.Setenv(redis.EnvURL, "redis://localhost:6379/3")
	c, err := redis.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
}

func TestReady(t *testing.T) {
	t.Parallel()
	if err := testClient(t).Ready(bg); err != nil {
		t.Fatal(err)
	}
	c, err := redis.Open("redis://127.0.0.1:1/0?dial_timeout=100ms&max_retries=0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Ready(bg); err == nil {
		t.Fatal("Ready succeeded with nothing listening")
	}
}
