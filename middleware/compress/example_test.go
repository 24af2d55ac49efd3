package compress_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/compress"
	"github.com/nexios-go/nexios/testclient"
)

func Example() {
	app := nexios.New(nexios.Config{})
	app.Use(nexios.Must(compress.New(compress.Config{
		MinSize: 512, // default 1024
	})))
	app.Get("/report", func(_ *nexios.Request, res *nexios.Response) error {
		return res.Text(strings.Repeat("all systems nominal\n", 100))
	})

	c := testclient.New(app)
	r := c.Get("/report", testclient.Header("Accept-Encoding", "gzip"))
	zr, _ := gzip.NewReader(strings.NewReader(r.Text()))
	body, _ := io.ReadAll(zr)
	fmt.Println(r.Header.Get("Content-Encoding"), r.Header.Get("Vary"))
	fmt.Println(len(body), "bytes, smaller on the wire:", len(r.Body) < len(body))
	// Output:
	// gzip Accept-Encoding
	// 2000 bytes, smaller on the wire: true
}
