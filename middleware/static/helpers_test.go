package static_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/middleware/static"
)

// secret is the content of a file beside the served root: no request may
// ever produce it.
const secret = "NEXIOS-TOP-SECRET-7f3a91"

const (
	helloText = "hello, world\n"
	rangeText = "0123456789abcdefghij"
	appJS     = "console.log('app');\n"
)

// tree is a served root inside a directory that also holds the secret:
//
//	base/secret.txt
//	base/root/...            (served)
//	base/root/escape       → ../secret.txt
//	base/root/escapedir    → ..
//	base/root/abs          → /abs/path/to/base/secret.txt
//	base/root/inside       → hello.txt
type tree struct {
	base, root, secretPath string
}

func newTree(t testing.TB) tree {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	tr := tree{base: base, root: root, secretPath: filepath.Join(base, "secret.txt")}
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tr.secretPath, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	write("index.html", []byte("<h1>home</h1>\n"))
	write("hello.txt", []byte(helloText))
	write("range.txt", []byte(rangeText))
	write("app.js", []byte(appJS))
	write("app.js.gz", gzipped(t, appJS))
	write("app.js.zst", zstded(t, appJS))
	write("app.js.br", []byte("BROTLI-BYTES"))
	write("style.css", []byte("body{}\n"))
	write("style.css.gz", gzipped(t, "body{}\n"))
	write("noext", []byte("plain words, no extension\n"))
	write("noext.gz", gzipped(t, "plain words, no extension\n"))
	write(".env", []byte("DB_PASSWORD=hunter2\n"))
	write(".git/config", []byte("[core]\n"))
	write("docs/a.txt", []byte("a"))
	write("docs/b <&>.txt", []byte("b"))
	write("docs/.hidden", []byte("h"))
	write("docs/sub/c.txt", []byte("c"))
	write("site/index.html", []byte("<h1>site</h1>\n"))
	for link, target := range map[string]string{
		"escape":    "../secret.txt",
		"escapedir": "..",
		"abs":       tr.secretPath,
		"inside":    "hello.txt",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	return tr
}

func gzipped(t testing.TB, s string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	io.WriteString(zw, s)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstded(t testing.TB, s string) []byte {
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll([]byte(s), nil)
}

func gunzip(t testing.TB, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// mountApp mounts the Handler at /static.
func mountApp(t testing.TB, cfg static.Config, appCfg nexios.Config) *nexios.App {
	t.Helper()
	h, err := static.NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	appCfg.Logger = quietLogger()
	app := nexios.New(appCfg)
	app.MountHandler("/static", h)
	return app
}

// do serves a raw request target (not normalised by any client) with h.
func do(h http.Handler, method, target string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://test"+target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func assertNoSecret(t testing.TB, what string, body string) {
	t.Helper()
	if strings.Contains(body, secret) {
		t.Fatalf("%s: response leaked the secret file: %q", what, body)
	}
}
