package redis_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/cache"
	"github.com/nexios-go/nexios/middleware/ratelimit"
	"github.com/nexios-go/nexios/redis"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/storetest"
	"github.com/nexios-go/nexios/websocket"
)

// The stores, the broker and the history on a live Redis Cluster (three
// primaries: keys of one store call must share a hash slot, Pub/Sub is
// sharded) and behind Sentinel (a failover moves the primary under the
// client). Each test starts its own redis-server processes.

// freePorts returns n ports free on 127.0.0.1 whose cluster bus ports
// (port + 10000) are free too.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			_ = l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, l)
		p := l.Addr().(*net.TCPAddr).Port
		if p+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+10000))
		if err != nil {
			continue
		}
		held = append(held, bus)
		ports = append(ports, p)
	}
	return ports
}

// startRedis starts redis-server on port with args (a config file first,
// if any), in dir, and waits until it answers; it is killed at cleanup.
func startRedis(t *testing.T, dir string, port int, args ...string) {
	t.Helper()
	if os.Getenv("NEXIOS_TEST_REDIS_URL") == "" {
		t.Skip("NEXIOS_TEST_REDIS_URL is not set: the cluster and sentinel tests run with the Redis tests")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is not installed (apt-get install redis-server): %v", err)
	}
	launchRedis(t, dir, port, args...)
}

// redisCLI runs redis-cli with args and returns its output.
func redisCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// polled runs redis-cli for a condition polled until it holds: a failed
// call (a server that resets its clients while Sentinel reconfigures it)
// is an empty answer, and the poll goes on.
func polled(args ...string) string {
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		return ""
	}
	return string(out)
}

// startCluster starts a cluster of three primaries and returns its URL.
func startCluster(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ports := freePorts(t, 3)
	var nodes []string
	for _, p := range ports {
		startRedis(t, dir, p, "--cluster-enabled", "yes", "--cluster-config-file", fmt.Sprintf("nodes-%d.conf", p),
			"--cluster-node-timeout", "2000")
		nodes = append(nodes, fmt.Sprintf("127.0.0.1:%d", p))
	}
	redisCLI(t, append(append([]string{"--cluster", "create"}, nodes...), "--cluster-replicas", "0", "--cluster-yes")...)
	for _, p := range ports {
		eventually(t, 10*time.Second, "the cluster to be ready", func() bool {
			return strings.Contains(polled("-p", fmt.Sprint(p), "cluster", "info"), "cluster_state:ok")
		})
	}
	return "redis+cluster://" + nodes[0] + "?addr=" + nodes[1] + "&addr=" + nodes[2]
}

// startSentinel starts a primary, a replica and one Sentinel watching
// them as "mymaster"; it returns the client's URL, the Sentinel's port
// and the replica's.
func startSentinel(t *testing.T) (url string, sentinel, replica int) {
	t.Helper()
	dir := t.TempDir()
	ports := freePorts(t, 3)
	primary := ports[0]
	replica, sentinel = ports[1], ports[2]
	startRedis(t, dir, primary)
	startRedis(t, dir, replica, "--replicaof", "127.0.0.1", fmt.Sprint(primary))
	conf := filepath.Join(dir, "sentinel.conf")
	err := os.WriteFile(conf, fmt.Appendf(nil, "sentinel monitor mymaster 127.0.0.1 %d 1\n"+
		"sentinel down-after-milliseconds mymaster 1000\nsentinel failover-timeout mymaster 5000\n", primary), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	startRedis(t, dir, sentinel, conf, "--sentinel")
	eventually(t, 10*time.Second, "the replica to sync", func() bool {
		return strings.Contains(polled("-p", fmt.Sprint(replica), "info", "replication"), "master_link_status:up")
	})
	eventually(t, 10*time.Second, "the sentinel to see the replica", func() bool {
		return strings.Contains(polled("-p", fmt.Sprint(sentinel), "sentinel", "replicas", "mymaster"), fmt.Sprint(replica))
	})
	return fmt.Sprintf("redis+sentinel://127.0.0.1:%d/0?master_name=mymaster", sentinel), sentinel, replica
}

// openURL opens a client, closed at cleanup.
func openURL(t *testing.T, url string) *redis.Client {
	t.Helper()
	c, err := redis.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// conformance runs every store's conformance kit, the broker's and a
// history round trip on the deployment of url.
func conformance(t *testing.T, url string) {
	rdb := openURL(t, url)
	kits := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"revocations", func(t *testing.T) {
			storetest.RevocationList(t, func(t *testing.T) auth.RevocationList {
				return redis.NewRevocationList(rdb, redis.RevocationConfig{Prefix: prefix(t)})
			})
		}},
		{"throttle", func(t *testing.T) {
			storetest.Throttle(t, func(t *testing.T) auth.ThrottleStore {
				return redis.NewThrottleStore(rdb, redis.ThrottleConfig{Prefix: prefix(t)})
			})
		}},
		{"sessions", func(t *testing.T) {
			storetest.SessionStore(t, func(t *testing.T) session.Store {
				return redis.NewSessionStore(rdb, redis.SessionConfig{Prefix: prefix(t)})
			})
		}},
		{"rate limits", func(t *testing.T) {
			storetest.RateLimitStore(t, func(t *testing.T) ratelimit.Store {
				return redis.NewRateLimitStore(rdb, redis.RateLimitConfig{Prefix: prefix(t)})
			})
		}},
		{"cache", func(t *testing.T) {
			storetest.Cache(t, func(t *testing.T) cache.Cache {
				return redis.NewCache(rdb, redis.CacheConfig{Prefix: prefix(t)})
			})
		}},
		{"broker", func(t *testing.T) {
			storetest.Broker(t, func(t *testing.T, n int) []websocket.Broker {
				p := prefix(t)
				out := make([]websocket.Broker, n)
				for i := range out {
					b, err := redis.NewBroker(context.Background(), openURL(t, url), redis.BrokerConfig{Prefix: p})
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { _ = b.Close() })
					out[i] = b
				}
				return out
			})
		}},
		{"history", func(t *testing.T) {
			h := redis.NewHistory(rdb, redis.HistoryConfig{Prefix: prefix(t), Size: 3})
			var last redis.Position
			for _, m := range []string{`"a"`, `"b"`, `"c"`, `"d"`} {
				var err error
				if last, err = h.Append(bg, "room", []byte(m)); err != nil {
					t.Fatal(err)
				}
			}
			pubs, cur, complete, err := h.Since(bg, "room", redis.Position{Offset: 1, Epoch: last.Epoch})
			if err != nil || !complete || cur != last || len(pubs) != 3 || string(pubs[2].Data) != `"d"` {
				t.Fatalf("Since: %+v %+v %v %v", pubs, cur, complete, err)
			}
		}},
	}
	for _, k := range kits {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			k.run(t)
		})
	}
}

func TestCluster(t *testing.T) {
	t.Parallel()
	url := startCluster(t)
	rdb := openURL(t, url)
	if rdb.Kind() != redis.Cluster {
		t.Fatalf("Kind %v, want cluster", rdb.Kind())
	}
	if err := rdb.Ready(bg); err != nil {
		t.Fatal(err)
	}
	b, err := redis.NewBroker(bg, rdb, redis.BrokerConfig{Prefix: prefix(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !b.Stats().Sharded {
		t.Error("the broker does not use sharded Pub/Sub on a Redis 7 cluster")
	}
	conformance(t, url)
}

func TestSentinel(t *testing.T) {
	t.Parallel()
	url, sentinel, replica := startSentinel(t)
	rdb := openURL(t, url)
	if rdb.Kind() != redis.Sentinel {
		t.Fatalf("Kind %v, want sentinel", rdb.Kind())
	}
	if err := rdb.Ready(bg); err != nil {
		t.Fatal(err)
	}
	t.Run("kits", func(t *testing.T) { conformance(t, url) })

	// A failover: the replica becomes the primary and the client follows
	// it, with what was written before.
	sessions := redis.NewSessionStore(rdb, redis.SessionConfig{Prefix: prefix(t)})
	tok, err := sessions.Save(bg, "", &session.Record{Values: map[string]any{"who": "ada"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// Replication is asynchronous: wait until the replica has the write.
	if n, err := rdb.Do(bg, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT for the replica: %d, %v", n, err)
	}
	// Sentinel refuses a failover it cannot do yet (NOGOODSLAVE while it
	// still learns about the replica): ask until it accepts.
	requested := false
	eventually(t, 20*time.Second, "the replica to be promoted", func() bool {
		if strings.Contains(polled("-p", fmt.Sprint(replica), "info", "replication"), "role:master") {
			return true
		}
		if !requested {
			requested = strings.HasPrefix(polled("-p", fmt.Sprint(sentinel), "sentinel", "failover", "mymaster"), "OK")
			if !requested {
				time.Sleep(100 * time.Millisecond)
			}
		}
		return false
	})
	eventually(t, 15*time.Second, "the client to write to the new primary", func() bool {
		_, err := sessions.Save(bg, "", &session.Record{Values: map[string]any{"after": true}}, time.Hour)
		return err == nil
	})
	rec, err := sessions.Load(bg, tok)
	if err != nil || rec.Values["who"] != "ada" {
		t.Fatalf("the session written before the failover: %+v, %v", rec, err)
	}
}
