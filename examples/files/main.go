// Command files is the Go port of §3 of the Nexios API examples ("File
// Upload and Download"): a multipart upload that saves every file to an
// upload directory, and a download route with range support.
//
//	go run ./examples/files
//	curl -s -F file=@README.md -F file=@go.mod http://127.0.0.1:5000/upload
//	curl -si http://127.0.0.1:5000/files/README.md
//	curl -si -H 'Range: bytes=0-99' http://127.0.0.1:5000/files/README.md
package main

import (
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"net/http"
	"os"

	"github.com/nexios-go/nexios"
)

// defaultUploadDir is the seed's UPLOAD_DIR, relative to the working
// directory.
const defaultUploadDir = "uploads"

// uploaded is one entry of the upload response, as in the seed.
type uploaded struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SavedPath   string `json:"saved_path"`
}

func newApp() *nexios.App { return newAppWithDir(defaultUploadDir) }

// newAppWithDir serves uploads from dir; tests give it a temporary
// directory.
func newAppWithDir(dir string) *nexios.App {
	app := nexios.New(nexios.Config{Title: "Files example"})

	app.Get("/", func(req *nexios.Request, res *nexios.Response) error {
		return res.HTML(formPage)
	})

	// The seed reads each file into memory and writes it with open(). Here
	// files stream to memory or a temporary file within the limits, and
	// SaveTo writes atomically. UniqueName keeps two uploads with the same
	// name from overwriting each other.
	app.Post("/upload", func(req *nexios.Request, res *nexios.Response) error {
		files, err := req.Files()
		if err != nil {
			return err // 400 malformed, 413 over a limit, 415 not multipart
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		out := make([]uploaded, 0, len(files))
		for _, f := range files {
			saved, err := f.SaveTo(dir, nexios.UniqueName())
			if err != nil {
				return err
			}
			out = append(out, uploaded{Filename: f.Filename, ContentType: f.ContentType, Size: f.Size, SavedPath: saved})
		}
		return res.JSON(map[string]any{"uploaded": out})
	},
		// Larger than the app's default body limit (10 MiB), on this route
		// only.
		nexios.BodyLimit(100<<20),
		nexios.WithUploadLimits(nexios.UploadLimits{MaxFileBytes: 50 << 20, MaxFiles: 20}))

	// FileIn resolves the name under dir through os.Root: "..", encoded
	// separators, absolute paths and symbolic links out of dir all come back
	// as not found. Range, If-Range, ETag/Last-Modified and 304s come from
	// http.ServeContent.
	app.Get("/files/{filename}", func(req *nexios.Request, res *nexios.Response) error {
		name := req.Path("filename")
		err := res.FileIn(dir, name, nexios.FileOptions{Filename: name, Attachment: true})
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, nexios.ErrUnsafePath) {
			return res.Status(http.StatusNotFound).JSON(map[string]string{"error": "File not found"})
		}
		return err
	})

	return app
}

// formPage lets a browser try the upload.
const formPage = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Upload</title></head>
<body>
<form action="/upload" method="post" enctype="multipart/form-data">
  <input type="file" name="file" multiple>
  <button type="submit">Upload</button>
</form>
</body></html>
`

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	dir := flag.String("dir", defaultUploadDir, "directory uploads are saved to")
	flag.Parse()
	if err := newAppWithDir(*dir).Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
