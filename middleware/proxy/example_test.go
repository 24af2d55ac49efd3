package proxy_test

import (
	"fmt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/proxy"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(proxy.New(proxy.Config{
		TrustedProxies: []string{"10.0.0.0/8"},
	})))
	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text(req.ClientIP() + " " + req.Scheme())
	})
	headers := []testclient.RequestOption{
		testclient.Header("X-Forwarded-For", "6.6.6.6, 198.51.100.7"),
		testclient.Header("X-Forwarded-Proto", "https"),
	}

	// Through the load balancer at 10.0.0.2: the rightmost untrusted
	// address is the client; the spoofed 6.6.6.6 is never used.
	viaProxy := testclient.New(app, testclient.WithRemoteAddr("10.0.0.2:41000"))
	fmt.Println(viaProxy.Get("/", headers...).Text())

	// Straight from the internet: the headers are ignored.
	direct := testclient.New(app, testclient.WithRemoteAddr("203.0.113.5:52000"))
	fmt.Println(direct.Get("/", headers...).Text())
	// Output:
	// 198.51.100.7 https
	// 203.0.113.5 http
}
