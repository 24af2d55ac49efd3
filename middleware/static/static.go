// Package static serves files from a directory or an fs.FS (such as an
// embed.FS), as an http.Handler to mount under a prefix or as middleware
// that serves the files it finds and passes other requests on.
//
//	// Every request under /static, files or a JSON 404:
//	app.MountHandler("/static", static.Handler(static.Config{Root: "./public"}))
//
//	// Files under /assets when they exist; anything else goes on to the
//	// routes (and the app's 404 handler):
//	app.Use(nexios.Must(static.New(static.Config{FS: assets, Prefix: "/assets"})))
//
// Both forms share one implementation, and it is the one Response.File,
// FileIn and FileFS use (Nexios' internal file-serving core): the same file
// gets the same ETag and Last-Modified, the same conditional request
// answers (If-None-Match, If-Modified-Since → 304; If-Match,
// If-Unmodified-Since → 412), the same Range handling (single, suffix,
// multiple as multipart/byteranges; at most Config.MaxRanges ranges,
// overlapping ones merged; 416 when none is satisfiable) and the same path
// refusals from either door. On top of it the package adds index files,
// optional directory listings, caching headers, precompressed variants
// (file.br, file.zst, file.gz beside file, chosen by Accept-Encoding).
//
// # Security
//
// With Config.Root the directory is opened with os.OpenRoot: no request
// path, and no symbolic link inside the directory, can reach a file outside
// it. Before a path reaches the file system it is rejected (as not found)
// when it holds a ".." or "." segment, an empty segment ("//"), a
// backslash, a NUL byte, an encoded separator (%2F, %5C) or a second
// encoding (%252F), and names starting with a dot (.git, .env) are hidden
// unless Config.AllowDotfiles is set. Only regular files and directories
// are served; sockets, pipes and devices are not found, and are never
// opened for reading. Directory listings are off unless Config.Browse is
// set. With Config.FS, symbolic links that leave the file system (os.DirFS
// follows them) are refused unless Config.FollowSymlinks is set; use
// Config.Root for directories on disk, which also closes the window
// between checking a link and opening it.
package static

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/internal/fileserve"
)

// Config configures the file server. Root or FS is required; every other
// field has a safe default.
type Config struct {
	// Root is the directory to serve, opened once by New/NewHandler with
	// os.OpenRoot (it stays open for the life of the process). Exactly one
	// of Root and FS must be set.
	Root string

	// FS is the file system to serve, such as an embed.FS (use fs.Sub to
	// serve one of its directories). It must not be combined with Root.
	FS fs.FS

	// Prefix is the URL path under which the middleware serves files:
	// "/assets" serves /assets/app.js from app.js in the root. It matches
	// whole path segments only. Default: "/" (every path). The Handler
	// ignores it: MountHandler strips the mount prefix itself.
	Prefix string

	// Index is the file served for a directory. Default: "index.html".
	Index string

	// Browse lists the contents of directories without an index file.
	// Default: off; such directories are not found.
	Browse bool

	// MaxAge, when positive, sends Cache-Control: public, max-age=<seconds>
	// with every file. Default: no Cache-Control; clients revalidate with
	// the ETag and Last-Modified validators.
	MaxAge time.Duration

	// Immutable adds "immutable" to Cache-Control (with MaxAge), for
	// fingerprinted file names whose content never changes.
	Immutable bool

	// AllowDotfiles serves files and directories whose names start with a
	// dot. Default: off; they are not found.
	AllowDotfiles bool

	// FollowSymlinks lets an FS (such as os.DirFS) follow symbolic links
	// whose target is absolute or leaves it. Default: off; such links are
	// not found. It cannot be combined with Root, which never follows them.
	FollowSymlinks bool

	// MaxRanges caps the ranges of one Range request; a request asking for
	// more gets the whole file (200). Default (0): 200, Apache's figure.
	// Negative turns Range support off (Accept-Ranges: none).
	MaxRanges int

	// DisablePrecompressed turns off precompressed variants. By default a
	// request for file whose Accept-Encoding accepts br, zstd or gzip is
	// answered with file.br, file.zst or file.gz when that file exists
	// beside file (highest q-value first; br, zstd, gzip on a tie), with
	// Content-Encoding set, file's Content-Type and Vary: Accept-Encoding.
	DisablePrecompressed bool

	// Skip, when it returns true, makes the middleware pass the request
	// on without looking for a file. Nil never skips. The Handler ignores
	// it.
	Skip func(*nexios.Request) bool
}

// server is the shared core of the handler and the middleware.
type server struct {
	tree          *fileserve.Tree
	prefix        string // "" for every path, else "/assets"
	index         string
	browse        bool
	dotfiles      bool
	precompressed bool
	cacheControl  string // "": no header
	maxRanges     int
	skip          func(*nexios.Request) bool

	// tags caches content-checksum ETags of files without a modification
	// time (embed.FS), which never change.
	tags fileserve.TagCache
}

func newServer(cfg Config) (*server, error) {
	s := &server{
		index:         cfg.Index,
		browse:        cfg.Browse,
		dotfiles:      cfg.AllowDotfiles,
		precompressed: !cfg.DisablePrecompressed,
		maxRanges:     cfg.MaxRanges,
		skip:          cfg.Skip,
	}
	switch {
	case cfg.Root != "" && cfg.FS != nil:
		return nil, errors.New("static: set Root or FS, not both")
	case cfg.Root != "" && cfg.FollowSymlinks:
		return nil, errors.New("static: FollowSymlinks needs FS; Root never follows links out of the directory")
	case cfg.Root != "":
		root, err := os.OpenRoot(cfg.Root)
		if err != nil {
			return nil, fmt.Errorf("static: %w", err)
		}
		s.tree = fileserve.Root(root)
	case cfg.FS != nil:
		s.tree = fileserve.FS(cfg.FS, cfg.FollowSymlinks)
	default:
		return nil, errors.New("static: Root or FS is required")
	}
	if fi, err := s.tree.Stat("."); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("static: the root is not a readable directory (%v)", err)
	}
	if s.index == "" {
		s.index = "index.html"
	}
	if strings.ContainsAny(s.index, "/\\\x00") || !fs.ValidPath(s.index) {
		return nil, fmt.Errorf("static: Index %q must be a plain file name", cfg.Index)
	}
	if p := strings.TrimRight(cfg.Prefix, "/"); p != "" {
		if p[0] != '/' {
			return nil, fmt.Errorf("static: Prefix %q must start with /", cfg.Prefix)
		}
		s.prefix = p
	}
	if cfg.MaxAge < 0 {
		return nil, errors.New("static: MaxAge must not be negative")
	}
	if cfg.MaxAge > 0 {
		s.cacheControl = "public, max-age=" + strconv.FormatInt(int64(cfg.MaxAge/time.Second), 10)
		if cfg.Immutable {
			s.cacheControl += ", immutable"
		}
	}
	return s, nil
}

// NewHandler returns an http.Handler serving the files, for
// App.MountHandler (which strips the mount prefix) or any net/http mux.
// Requests for missing files get a 404 application/problem+json body,
// methods other than GET and HEAD 405 with Allow.
func NewHandler(cfg Config) (http.Handler, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(s.ServeHTTP), nil
}

// Handler is NewHandler for start-up code: it panics on a configuration
// error, like nexios.Must.
//
//	app.MountHandler("/static", static.Handler(static.Config{Root: "public"}))
func Handler(cfg Config) http.Handler {
	return nexios.Must(NewHandler(cfg))
}

// New returns middleware that serves the file for a GET or HEAD request
// under Config.Prefix when there is one, and otherwise calls next: missing
// files reach the routes and the app's 404 handler. A request with another
// method for an existing file that no route matched gets 405 with Allow.
func New(cfg Config) (nexios.Middleware, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.middleware, nil
}

// ServeHTTP serves r's path (already stripped of any mount prefix).
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = allowGetHead
		writeProblem(w, http.StatusMethodNotAllowed, "", nil)
		return
	}
	p := r.URL.Path
	if p == "" {
		p = "/" // http.StripPrefix leaves "" for the prefix itself
	}
	err := s.serve(w, r, p)
	var fe *fileserve.Error
	switch {
	case err == nil:
	case errors.Is(err, errNotFound):
		writeProblem(w, http.StatusNotFound, "", nil)
	case errors.Is(err, errForbidden):
		writeProblem(w, http.StatusForbidden, "", nil)
	case errors.As(err, &fe):
		writeProblem(w, fe.Status, fe.Detail, fe.Header)
	default:
		writeProblem(w, http.StatusInternalServerError, "", nil)
	}
}

func (s *server) middleware(next nexios.HandlerFunc) nexios.HandlerFunc {
	return func(req *nexios.Request, res *nexios.Response) error {
		if s.skip != nil && s.skip(req) {
			return next(req, res)
		}
		r := req.Raw()
		p, ok := s.strip(r.URL.Path)
		if !ok {
			return next(req, res)
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if req.Route() == nil && s.exists(r, p) {
				return nexios.NewHTTPError(http.StatusMethodNotAllowed, "").WithHeader("Allow", "GET, HEAD")
			}
			return next(req, res)
		}
		err := s.serve(res, r, p)
		var fe *fileserve.Error
		switch {
		case err == nil:
			return nil
		case errors.Is(err, errNotFound):
			return next(req, res)
		case errors.Is(err, errForbidden):
			return nexios.NewHTTPError(http.StatusForbidden, "").Wrap(err)
		case errors.As(err, &fe):
			he := nexios.NewHTTPError(fe.Status, fe.Detail).Wrap(fe.Err)
			for k, vs := range fe.Header {
				for _, v := range vs {
					he.WithHeader(k, v)
				}
			}
			return he
		}
		return fmt.Errorf("static: serving %q: %w", p, err)
	}
}

// strip removes the middleware's prefix from p, on a segment boundary.
func (s *server) strip(p string) (string, bool) {
	if s.prefix == "" {
		return p, true
	}
	rest, ok := strings.CutPrefix(p, s.prefix)
	if !ok || rest != "" && rest[0] != '/' {
		return "", false
	}
	if rest == "" {
		// The prefix itself: the root directory, which redirects to
		// prefix + "/".
		return "", true
	}
	return rest, true
}

// resolve turns a URL path ("/css/app.css", "/docs/") into a name for the
// file system ("css/app.css", "docs") and reports whether it names a
// directory (a trailing slash). ok is false for any path that the shared
// path policy refuses.
func (s *server) resolve(r *http.Request, p string) (name string, dir, ok bool) {
	if fileserve.HasEncodedSeparator(r.URL.RawPath) {
		return "", false, false
	}
	if p == "" {
		return ".", false, true // the middleware's bare prefix
	}
	if p[0] != '/' {
		return "", false, false
	}
	name = p[1:]
	if name == "" {
		return ".", true, true
	}
	if strings.HasSuffix(name, "/") {
		name, dir = name[:len(name)-1], true
	}
	name, err := fileserve.Check(name, s.dotfiles)
	if err != nil {
		return "", false, false
	}
	return name, dir, true
}

// exists reports whether p names a file or directory that would be served.
func (s *server) exists(r *http.Request, p string) bool {
	name, _, ok := s.resolve(r, p)
	if !ok {
		return false
	}
	fi, err := s.tree.Stat(name)
	return err == nil && (fi.Mode().IsRegular() || fi.IsDir())
}

var allowGetHead = []string{"GET, HEAD"}

// writeProblem writes a bare RFC 9457 problem document, for the Handler,
// which has no app to render errors with.
func writeProblem(w http.ResponseWriter, status int, detail string, extra http.Header) {
	h := w.Header()
	for _, k := range []string{"Etag", "Last-Modified", "Cache-Control", "Content-Encoding", "Content-Length", "Content-Range", "Accept-Ranges"} {
		delete(h, k)
	}
	for k, vs := range extra {
		h[k] = vs
	}
	h["Content-Type"] = problemType
	h["X-Content-Type-Options"] = nosniff
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}

var (
	problemType  = []string{"application/problem+json"}
	nosniff      = []string{"nosniff"}
	errNotFound  = errors.New("static: not found")
	errForbidden = errors.New("static: forbidden")
)

// problem is the RFC 9457 document the Handler writes; the middleware
// returns *nexios.HTTPError values, which the app renders.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

// etagKey identifies a version of a file without a modification time.
type etagKey struct {
	name string
	size int64
}

// cleanBase returns the last segment of an escaped path, for a relative
// redirect.
func cleanBase(escaped string) string {
	escaped = strings.TrimRight(escaped, "/")
	return path.Base("/" + escaped)
}
