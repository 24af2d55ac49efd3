package static_test

import (
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
	"github.com/nexios-go/nexios/testclient"
)

func TestServeFiles(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	app := mountApp(t, static.Config{Root: tr.root}, nexios.Config{})
	c := testclient.New(app, testclient.WithoutRedirects())

	tests := []struct {
		name, path   string
		wantStatus   int
		wantBody     string
		wantType     string
		wantLocation string
	}{
		{name: "file", path: "/static/hello.txt", wantStatus: 200, wantBody: helloText, wantType: "text/plain; charset=utf-8"},
		{name: "index at the mount", path: "/static/", wantStatus: 200, wantBody: "<h1>home</h1>\n", wantType: "text/html; charset=utf-8"},
		{name: "mount without slash", path: "/static", wantStatus: 200, wantBody: "<h1>home</h1>\n"},
		{name: "index in a directory", path: "/static/site/", wantStatus: 200, wantBody: "<h1>site</h1>\n"},
		{name: "directory without slash redirects", path: "/static/site?x=1", wantStatus: 301, wantLocation: "./site/?x=1"},
		{name: "directory without index is not listed", path: "/static/docs/", wantStatus: 404, wantType: "application/problem+json"},
		{name: "missing", path: "/static/nope.txt", wantStatus: 404, wantType: "application/problem+json"},
		{name: "file with a trailing slash", path: "/static/hello.txt/", wantStatus: 404},
		{name: "symlink inside the root", path: "/static/inside", wantStatus: 200, wantBody: helloText},
		{name: "dotfile", path: "/static/.env", wantStatus: 404},
		{name: "dot directory", path: "/static/.git/config", wantStatus: 404},
		{name: "hidden in a listing directory", path: "/static/docs/.hidden", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.Get(tt.path)
			if r.Status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.wantStatus, r.Text())
			}
			if tt.wantBody != "" && r.Text() != tt.wantBody {
				t.Errorf("body %q, want %q", r.Text(), tt.wantBody)
			}
			if tt.wantType != "" && r.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("Content-Type %q, want %q", r.Header.Get("Content-Type"), tt.wantType)
			}
			if tt.wantLocation != "" && r.Header.Get("Location") != tt.wantLocation {
				t.Errorf("Location %q, want %q", r.Header.Get("Location"), tt.wantLocation)
			}
			if tt.wantStatus == 200 {
				if r.Header.Get("ETag") == "" || r.Header.Get("Last-Modified") == "" {
					t.Errorf("missing validators: %v", r.Header)
				}
				if r.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("missing nosniff")
				}
			}
			if tt.wantStatus == 404 {
				var p struct {
					Status int    `json:"status"`
					Title  string `json:"title"`
				}
				if err := json.Unmarshal(r.Body, &p); err != nil || p.Status != 404 || p.Title != "Not Found" {
					t.Errorf("404 body %q (%v)", r.Body, err)
				}
				if r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "" {
					t.Errorf("404 carries file headers: %v", r.Header)
				}
			}
		})
	}
}

func TestMethods(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	c := testclient.New(mountApp(t, static.Config{Root: tr.root}, nexios.Config{}))
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		r := c.Do(m, "/static/hello.txt")
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: status %d, Allow %q", m, r.Status, r.Header.Get("Allow"))
		}
	}
	r := c.Head("/static/hello.txt")
	if r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Length") != "13" {
		t.Errorf("HEAD: %d, %q, Content-Length %q", r.Status, r.Body, r.Header.Get("Content-Length"))
	}
}

func TestBrowse(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	c := testclient.New(mountApp(t, static.Config{Root: tr.root, Browse: true}, nexios.Config{}))
	r := c.Get("/static/docs/")
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("listing: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	body := r.Text()
	for _, want := range []string{`<a href="a.txt">a.txt</a>`, `<a href="sub/">sub/</a>`, `<a href="../">../</a>`, `b &lt;&amp;&gt;.txt`, `href="b%20%3C&amp;%3E.txt"`} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, ".hidden") {
		t.Errorf("listing shows a dotfile:\n%s", body)
	}
	// A directory with an index still serves the index.
	if r := c.Get("/static/site/"); r.Text() != "<h1>site</h1>\n" {
		t.Errorf("index with Browse: %q", r.Text())
	}
}

func TestConditional(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	c := testclient.New(mountApp(t, static.Config{Root: tr.root, MaxAge: time.Hour, Immutable: true}, nexios.Config{}))
	r := c.Get("/static/hello.txt")
	tag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	if !strings.HasPrefix(tag, `"`) || lm == "" {
		t.Fatalf("validators: ETag %q, Last-Modified %q", tag, lm)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=3600, immutable" {
		t.Fatalf("Cache-Control %q", cc)
	}
	tests := []struct {
		name, header, value string
		want                int
	}{
		{"If-None-Match", "If-None-Match", tag, 304},
		{"If-None-Match weak", "If-None-Match", "W/" + tag, 304},
		{"If-None-Match list", "If-None-Match", `"x", ` + tag, 304},
		{"If-None-Match star", "If-None-Match", "*", 304},
		{"If-None-Match other", "If-None-Match", `"other"`, 200},
		{"If-Modified-Since", "If-Modified-Since", lm, 304},
		{"If-Modified-Since old", "If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT", 200},
	}
	for _, tt := range tests {
		r := c.Get("/static/hello.txt", testclient.Header(tt.header, tt.value))
		if r.Status != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, r.Status, tt.want)
			continue
		}
		if tt.want == 304 {
			if len(r.Body) != 0 || r.Header.Get("ETag") != tag || r.Header.Get("Cache-Control") == "" {
				t.Errorf("%s: 304 body %q, headers %v", tt.name, r.Body, r.Header)
			}
		}
	}
}

func TestRange(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	c := testclient.New(mountApp(t, static.Config{Root: tr.root}, nexios.Config{}))
	tests := []struct {
		name, rng    string
		want         int
		body, cRange string
	}{
		{"single", "bytes=0-4", 206, "01234", "bytes 0-4/20"},
		{"open end", "bytes=15-", 206, "fghij", "bytes 15-19/20"},
		{"suffix", "bytes=-5", 206, "fghij", "bytes 15-19/20"},
		{"unsatisfiable", "bytes=100-200", 416, "", "bytes */20"},
	}
	for _, tt := range tests {
		r := c.Get("/static/range.txt", testclient.Header("Range", tt.rng))
		if r.Status != tt.want || r.Header.Get("Content-Range") != tt.cRange || tt.body != "" && r.Text() != tt.body {
			t.Errorf("%s: %d %q Content-Range %q", tt.name, r.Status, r.Text(), r.Header.Get("Content-Range"))
		}
	}
	// Several ranges: multipart/byteranges.
	r := c.Get("/static/range.txt", testclient.Header("Range", "bytes=0-1,5-6,-2"))
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Status != 206 || err != nil || mt != "multipart/byteranges" {
		t.Fatalf("multiple ranges: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(strings.NewReader(r.Text()), params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, p.Header.Get("Content-Range")+"="+string(b))
	}
	if got := strings.Join(parts, " "); got != "bytes 0-1/20=01 bytes 5-6/20=56 bytes 18-19/20=ij" {
		t.Fatalf("parts: %s", got)
	}
	// If-Range with the current strong tag honours the range.
	tag := c.Get("/static/range.txt").Header.Get("ETag")
	r = c.Get("/static/range.txt", testclient.Header("Range", "bytes=0-1"), testclient.Header("If-Range", tag))
	if r.Status != 206 || r.Text() != "01" {
		t.Fatalf("If-Range: %d %q", r.Status, r.Text())
	}
}

func TestPrecompressed(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	c := testclient.New(mountApp(t, static.Config{Root: tr.root}, nexios.Config{}))
	jsType := mime.TypeByExtension(".js")
	identityTag := c.Get("/static/app.js").Header.Get("ETag")
	tests := []struct {
		name, path, ae, wantCE string
	}{
		{"none", "/static/app.js", "", ""},
		{"gzip", "/static/app.js", "gzip", "gzip"},
		{"zstd", "/static/app.js", "zstd", "zstd"},
		{"br", "/static/app.js", "br", "br"},
		{"tie: br first", "/static/app.js", "gzip, zstd, br", "br"},
		{"tie without br: zstd", "/static/app.js", "gzip, zstd", "zstd"},
		{"q-values", "/static/app.js", "br;q=0.5, gzip;q=0.9, zstd;q=0.1", "gzip"},
		{"q=0 refuses", "/static/app.js", "br;q=0, zstd;q=0, gzip", "gzip"},
		{"all refused", "/static/app.js", "gzip;q=0", ""},
		{"star", "/static/app.js", "*", "br"},
		{"star with exclusions", "/static/app.js", "*, br;q=0", "zstd"},
		{"identity", "/static/app.js", "identity", ""},
		{"only a gz variant exists", "/static/style.css", "br, zstd, gzip", "gzip"},
		{"no variants", "/static/hello.txt", "br, zstd, gzip", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []testclient.RequestOption
			if tt.ae != "" {
				opts = append(opts, testclient.Header("Accept-Encoding", tt.ae))
			}
			r := c.Get(tt.path, opts...)
			if r.Status != 200 || r.Header.Get("Content-Encoding") != tt.wantCE {
				t.Fatalf("status %d, Content-Encoding %q, want %q", r.Status, r.Header.Get("Content-Encoding"), tt.wantCE)
			}
			if r.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("Vary %q", r.Header.Get("Vary"))
			}
			if tt.path == "/static/app.js" {
				if r.Header.Get("Content-Type") != jsType {
					t.Errorf("Content-Type %q, want the original's %q", r.Header.Get("Content-Type"), jsType)
				}
				if tt.wantCE != "" && r.Header.Get("Content-Length") != strconv.Itoa(len(r.Body)) {
					t.Errorf("Content-Length %q for a %d-byte variant", r.Header.Get("Content-Length"), len(r.Body))
				}
				switch tt.wantCE {
				case "gzip":
					if gunzip(t, r.Body) != appJS {
						t.Error("gzip variant does not decode to the file")
					}
				case "br":
					if r.Text() != "BROTLI-BYTES" {
						t.Errorf("br variant body %q", r.Text())
					}
				}
				if tt.wantCE != "" && r.Header.Get("ETag") == identityTag {
					t.Errorf("variant shares the identity ETag %q", identityTag)
				}
			}
		})
	}
	// The variant's Content-Type comes from the original, sniffed when the
	// extension says nothing.
	r := c.Get("/static/noext", testclient.Header("Accept-Encoding", "gzip"))
	if r.Header.Get("Content-Encoding") != "gzip" || r.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("noext: %q %q", r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"))
	}
	// Disabled: the identity file, no Vary.
	c2 := testclient.New(mountApp(t, static.Config{Root: tr.root, DisablePrecompressed: true}, nexios.Config{}))
	r = c2.Get("/static/app.js", testclient.Header("Accept-Encoding", "gzip"))
	if r.Header.Get("Content-Encoding") != "" || r.Text() != appJS || r.Header.Get("Vary") != "" {
		t.Fatalf("disabled: %q %q %q", r.Header.Get("Content-Encoding"), r.Text(), r.Header.Get("Vary"))
	}
}

func TestDotfilesAllowed(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	c := testclient.New(mountApp(t, static.Config{Root: tr.root, AllowDotfiles: true, Browse: true}, nexios.Config{}))
	if r := c.Get("/static/.env"); r.Status != 200 {
		t.Errorf(".env with AllowDotfiles: %d", r.Status)
	}
	if r := c.Get("/static/.git/config"); r.Status != 200 {
		t.Errorf(".git/config with AllowDotfiles: %d", r.Status)
	}
	if r := c.Get("/static/docs/"); !strings.Contains(r.Text(), ".hidden") {
		t.Errorf("listing with AllowDotfiles lacks .hidden")
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	bad := []static.Config{
		{},
		{Root: tr.root, FS: nil, Index: "a/b.html"},
		{Root: tr.root + "/missing"},
		{Root: tr.root + "/hello.txt"},
		{Root: tr.root, Prefix: "assets"},
		{Root: tr.root, MaxAge: -time.Second},
		{Root: tr.root, FollowSymlinks: true},
	}
	for _, cfg := range bad {
		if _, err := static.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a bad config", cfg)
		}
		if _, err := static.NewHandler(cfg); err == nil {
			t.Errorf("NewHandler(%+v) accepted a bad config", cfg)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Handler did not panic on a bad config")
			}
		}()
		static.Handler(static.Config{})
	}()
}

// TestDirFSLinks serves an os.DirFS, which follows symbolic links out of
// its directory on its own: static refuses them unless FollowSymlinks.
func TestDirFSLinks(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	for _, follow := range []bool{false, true} {
		app := nexios.New(nexios.Config{Logger: quietLogger()})
		app.MountHandler("/h", static.Handler(static.Config{FS: os.DirFS(tr.root), FollowSymlinks: follow}))
		app.Use(nexios.Must(static.New(static.Config{FS: os.DirFS(tr.root), Prefix: "/mw", FollowSymlinks: follow})))
		c := testclient.New(app)
		for _, p := range []string{"/h/", "/mw/"} {
			for _, name := range []string{"escape", "abs", "escapedir/secret.txt"} {
				r := c.Get(p + name)
				if follow {
					if r.Status != 200 || r.Text() != secret {
						t.Errorf("FollowSymlinks: %s%s = %d %q", p, name, r.Status, r.Text())
					}
					continue
				}
				assertNoSecret(t, p+name, r.Text())
				if r.Status != 404 {
					t.Errorf("%s%s = %d, want 404", p, name, r.Status)
				}
			}
			if r := c.Get(p + "inside"); r.Status != 200 || r.Text() != helloText {
				t.Errorf("%sinside (a link within the root) = %d %q", p, r.Status, r.Text())
			}
		}
	}
}

// TestRangeLimits checks the range cap and merging through both forms, and
// that 412 and 416 are problem documents carrying Content-Range.
func TestRangeLimits(t *testing.T) {
	t.Parallel()
	tr := newTree(t)
	many := "bytes=" + strings.Repeat("0-0,2-2,", 100) + "4-4" // 201 ranges
	for _, maxRanges := range []int{0, 2, -1} {
		app := nexios.New(nexios.Config{Logger: quietLogger()})
		app.MountHandler("/h", static.Handler(static.Config{Root: tr.root, MaxRanges: maxRanges}))
		app.Use(nexios.Must(static.New(static.Config{Root: tr.root, Prefix: "/mw", MaxRanges: maxRanges})))
		c := testclient.New(app)
		for _, p := range []string{"/h/range.txt", "/mw/range.txt"} {
			r := c.Get(p, testclient.Header("Range", many))
			if r.Status != 200 || r.Text() != rangeText {
				t.Errorf("max %d: 201 ranges via %s = %d", maxRanges, p, r.Status)
			}
			r = c.Get(p, testclient.Header("Range", "bytes=0-1,4-5,8-9"))
			if want := map[int]int{0: 206, 2: 200, -1: 200}[maxRanges]; r.Status != want {
				t.Errorf("max %d: 3 ranges via %s = %d, want %d", maxRanges, p, r.Status, want)
			}
			if want := map[bool]string{true: "none", false: "bytes"}[maxRanges < 0]; r.Header.Get("Accept-Ranges") != want {
				t.Errorf("max %d: Accept-Ranges %q", maxRanges, r.Header.Get("Accept-Ranges"))
			}
			if maxRanges < 0 {
				continue
			}
			r = c.Get(p, testclient.Header("Range", "bytes=0-5,3-9"))
			if r.Status != 206 || r.Text() != rangeText[:10] || r.Header.Get("Content-Range") != "bytes 0-9/20" {
				t.Errorf("overlapping ranges via %s = %d %q %v", p, r.Status, r.Text(), r.Header)
			}
			r = c.Get(p, testclient.Header("Range", "bytes=50-"))
			if r.Status != 416 || r.Header.Get("Content-Type") != "application/problem+json" || r.Header.Get("Content-Range") != "bytes */20" {
				t.Errorf("416 via %s: %d %v %q", p, r.Status, r.Header, r.Text())
			}
			r = c.Get(p, testclient.Header("If-Match", `"nope"`))
			if r.Status != 412 || r.Header.Get("Content-Type") != "application/problem+json" || r.Header.Get("Etag") != "" {
				t.Errorf("412 via %s: %d %v %q", p, r.Status, r.Header, r.Text())
			}
		}
	}
}
