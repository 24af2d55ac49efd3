// Command files is the Go port of §3 of the Nexios API examples ("File
// Upload and Download"): a multipart upload that saves every file to an
// upload directory, and a download route with range support.
//
// Unlike the seed, it is safe to copy: uploads need a bearer token (set
// UPLOAD_TOKEN; without it a random one is generated and printed at
// start-up), and the upload directory is bounded in bytes and in files, so
// nobody can fill the disk. Downloads are public, always as attachments.
//
//	UPLOAD_TOKEN=s3cret go run ./examples/files
//	curl -s -H 'Authorization: Bearer s3cret' -F file=@README.md -F file=@go.mod http://127.0.0.1:5000/upload
//	curl -si http://127.0.0.1:5000/files/README.md
//	curl -si -H 'Range: bytes=0-99' http://127.0.0.1:5000/files/README.md
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/nexios-go/nexios"
)

// defaultUploadDir is the seed's UPLOAD_DIR, relative to the working
// directory.
const defaultUploadDir = "uploads"

// config is what main reads from flags and the environment, and what tests
// set directly.
type config struct {
	dir      string // where uploads are saved
	token    string // the bearer token uploads must carry; never empty
	maxBytes int64  // the most the upload directory may hold, in bytes
	maxFiles int    // the most files it may hold
}

// uploaded is one entry of the upload response, as in the seed.
type uploaded struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SavedPath   string `json:"saved_path"`
}

func newApp(cfg config) (*nexios.App, error) {
	if cfg.token == "" {
		return nil, errors.New("files: an upload token is required")
	}
	if err := os.MkdirAll(cfg.dir, 0o755); err != nil {
		return nil, err
	}
	store, err := openQuota(cfg.dir, cfg.maxBytes, cfg.maxFiles)
	if err != nil {
		return nil, err
	}
	app := nexios.New(nexios.Config{Title: "Files example"})

	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.HTML(formPage)
	})

	// The seed reads each file into memory and writes it with open(). Here
	// files stream to memory or a temporary file within the limits, and
	// SaveTo writes atomically. UniqueName keeps two uploads with the same
	// name from overwriting each other (a random suffix: report-k7f3q2xw.pdf).
	// The token is checked before the body is read, so an anonymous client
	// cannot make the server even spool its upload.
	app.Post("/upload", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err // 400 malformed, 413 over a limit, 415 not multipart
		}
		var total int64
		for _, f := range files {
			total += f.Size
		}
		if err := store.reserve(total, len(files)); err != nil {
			return err
		}
		out := make([]uploaded, 0, len(files))
		for i, f := range files {
			saved, err := f.SaveTo(cfg.dir, nexios.UniqueName())
			if err != nil {
				for _, rest := range files[i:] {
					store.release(rest.Size, 1)
				}
				return err
			}
			out = append(out, uploaded{Filename: f.Filename, ContentType: f.ContentType, Size: f.Size, SavedPath: saved})
		}
		return res.JSON(map[string]any{"uploaded": out})
	},
		nexios.WithMiddleware(requireToken(cfg.token)),
		// Larger than the app's default body limit (10 MiB), on this route
		// only.
		nexios.BodyLimit(100<<20),
		nexios.WithUploadLimits(nexios.UploadLimits{MaxFileBytes: 50 << 20, MaxFiles: 20}))

	// FileIn resolves the name under dir through os.Root: "..", encoded
	// separators, absolute paths, dotfiles (such as SaveTo's temporary
	// files) and symbolic links out of dir all come back as not found.
	// Range, If-Range, ETag/Last-Modified and 304s come from the same core
	// as middleware/static. Attachment, with nosniff, keeps an uploaded
	// .html file from running as a page of this site.
	app.Get("/files/{filename}", func(req *nexios.Request, res *nexios.Response) error {
		name := req.Path("filename")
		err := res.FileIn(cfg.dir, name, nexios.FileOptions{Filename: name, Attachment: true})
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, nexios.ErrUnsafePath) {
			return res.Status(http.StatusNotFound).JSON(notFound{Error: "File not found"})
		}
		return err
	},
		nexios.ReturnsFile(http.StatusOK, "*/*", "The file, as an attachment, in its own media type."),
		nexios.ReturnsFile(http.StatusPartialContent, "*/*", "The range the Range header asked for."),
		nexios.Returns[struct{}](http.StatusNotModified, "The copy the client has (If-None-Match, If-Modified-Since) is current."),
		nexios.Returns[notFound](http.StatusNotFound, "No such file, or a name that leaves the directory."))

	return app, nil
}

// notFound is the answer of GET /files/{filename} for a file it does not
// serve.
type notFound struct {
	Error string `json:"error"`
}

// requireToken refuses requests without "Authorization: Bearer <token>"
// with 401, before anything reads the body. Comparing digests in constant
// time reveals neither the token nor its length.
func requireToken(token string) nexios.Middleware {
	want := sha256.Sum256([]byte(token))
	return func(next nexios.HandlerFunc) nexios.HandlerFunc {
		return func(req *nexios.Request, res *nexios.Response) error {
			got, ok := strings.CutPrefix(req.Header("Authorization"), "Bearer ")
			sum := sha256.Sum256([]byte(got))
			if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				return nexios.NewHTTPError(http.StatusUnauthorized, "uploads need a bearer token").
					WithHeader("WWW-Authenticate", `Bearer realm="uploads"`)
			}
			return next(req, res)
		}
	}
}

// formPage lets a browser try the upload; a form cannot send an
// Authorization header, so a few lines of script post it.
const formPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Upload</title></head>
<body>
<form id="upload">
  <input type="password" name="token" placeholder="upload token" required>
  <input type="file" name="file" multiple required>
  <button type="submit">Upload</button>
</form>
<pre id="result"></pre>
<script>
document.getElementById("upload").addEventListener("submit", async (e) => {
  e.preventDefault();
  const data = new FormData(e.target);
  const token = data.get("token");
  data.delete("token");
  const res = await fetch("/upload", {method: "POST", body: data, headers: {Authorization: "Bearer " + token}});
  document.getElementById("result").textContent = res.status + " " + await res.text();
});
</script>
</body></html>
`

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	dir := flag.String("dir", defaultUploadDir, "directory uploads are saved to")
	maxBytes := flag.Int64("max-bytes", 1<<30, "most bytes the upload directory may hold")
	maxFiles := flag.Int("max-files", 10_000, "most files the upload directory may hold")
	flag.Parse()
	token := os.Getenv("UPLOAD_TOKEN")
	if token == "" {
		token = rand.Text()
		// Printed once, to the terminal that started the server: set
		// UPLOAD_TOKEN to choose it instead.
		fmt.Fprintf(os.Stderr, "UPLOAD_TOKEN is not set; uploads need: Authorization: Bearer %s\n", token)
	}
	app, err := newApp(config{dir: *dir, token: token, maxBytes: *maxBytes, maxFiles: *maxFiles})
	if err == nil {
		err = app.Run(*addr)
	}
	if err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
