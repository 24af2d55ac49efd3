package static

import (
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios/internal/fileserve"
)

// serve answers a GET or HEAD request for the URL path p. It returns nil
// when it answered, errNotFound or errForbidden when it did not, a
// *fileserve.Error (412, 416) with nothing written, or another error.
func (s *server) serve(w http.ResponseWriter, r *http.Request, p string) error {
	name, dir, ok := s.resolve(r, p)
	if !ok {
		return errNotFound
	}
	fi, err := s.tree.Stat(name)
	if err != nil {
		return statError(err)
	}
	if fi.IsDir() {
		if !dir {
			// Relative links in the directory's page need the slash.
			target := "./" + cleanBase(r.URL.EscapedPath()) + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			w.Header().Set("Location", target)
			w.WriteHeader(http.StatusMovedPermanently)
			return nil
		}
		index := path.Join(name, s.index)
		if ifi, err := s.tree.Stat(index); err == nil && ifi.Mode().IsRegular() {
			return s.serveFile(w, r, index, ifi)
		}
		if s.browse {
			return s.list(w, r, name)
		}
		return errNotFound
	}
	if dir || !fi.Mode().IsRegular() {
		return errNotFound // "file.txt/", sockets, pipes, devices
	}
	return s.serveFile(w, r, name, fi)
}

// statError sorts a failure to find or open a file: permission denied is
// 403; anything else (missing, refused by the path policy, a link out of
// the root, not a regular file) is simply not there.
func statError(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w: %w", errForbidden, err)
	}
	// The cause is dropped: a miss is routine (the middleware passes it
	// on), and costs no allocation.
	return errNotFound
}

// encodings are the precompressed variants looked for, in the server's
// order of preference.
var encodings = [...]struct{ coding, ext string }{
	{"br", ".br"},
	{"zstd", ".zst"},
	{"gzip", ".gz"},
}

var varyAcceptEncoding = []string{"Accept-Encoding"}

// serveFile sends the regular file name, or its best precompressed
// variant, through the shared core.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, name string, fi fs.FileInfo) error {
	servedName, coding := name, -1
	if s.precompressed {
		addVary(w.Header())
		if ae := r.Header["Accept-Encoding"]; len(ae) > 0 {
			servedName, coding, fi = s.variant(ae, name, fi)
		}
	}
	f, err := s.tree.OpenStat(servedName, fi)
	if err != nil {
		return statError(err)
	}
	defer f.Close()
	c := &fileserve.Content{
		Name:         name,
		Body:         f.Body,
		Size:         f.Info.Size(),
		ModTime:      f.Info.ModTime(),
		CacheControl: s.cacheControl,
		MaxRanges:    s.maxRanges,
	}
	if coding >= 0 {
		c.Encoding = encodings[coding].coding
		if _, set := w.Header()["Content-Type"]; !set && mime.TypeByExtension(path.Ext(name)) == "" {
			// The variant's bytes are compressed: sniff the original.
			if c.ContentType, err = s.sniff(name); err != nil {
				return err
			}
		}
	}
	if c.ETag, err = s.tags.ETag(etagKey{servedName, c.Size}, c.ModTime, c.Size, f.Body); err != nil {
		return err
	}
	return fileserve.Serve(w, r, c)
}

// variant picks the precompressed variant of name that the client prefers
// among those that exist, or name itself.
func (s *server) variant(ae []string, name string, fi fs.FileInfo) (string, int, fs.FileInfo) {
	var q [len(encodings)]float64
	for i, e := range encodings {
		q[i] = acceptQ(ae, e.coding)
	}
	for {
		best := -1
		for i := range q {
			if q[i] > 0 && (best < 0 || q[i] > q[best]) {
				best = i
			}
		}
		if best < 0 {
			return name, -1, fi
		}
		q[best] = 0
		vname := name + encodings[best].ext
		if vfi, err := s.tree.Stat(vname); err == nil && vfi.Mode().IsRegular() {
			return vname, best, vfi
		}
	}
}

// acceptQ returns the q-value Accept-Encoding gives coding: its own entry,
// else the "*" entry, else 0.
func acceptQ(ae []string, coding string) float64 {
	star := 0.0
	for _, v := range ae {
		for elem := range strings.SplitSeq(v, ",") {
			tok, params, _ := strings.Cut(elem, ";")
			tok = strings.TrimSpace(tok)
			q := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
					if err != nil || f < 0 || f > 1 {
						f = 0
					}
					q = f
				}
			}
			switch {
			case strings.EqualFold(tok, coding):
				return q
			case tok == "*":
				star = q
			}
		}
	}
	return star
}

// sniff detects the Content-Type of name from its first 512 bytes.
func (s *server) sniff(name string) (string, error) {
	f, err := s.tree.Open(name)
	if err != nil {
		return "application/octet-stream", nil
	}
	defer f.Close()
	return fileserve.Sniff(f.Body)
}

// list writes an HTML listing of the directory name.
func (s *server) list(w http.ResponseWriter, r *http.Request, name string) error {
	entries, err := fs.ReadDir(s.tree.FS(), name)
	if err != nil {
		return statError(err)
	}
	var b strings.Builder
	title := html.EscapeString(r.URL.Path)
	b.WriteString("<!doctype html>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>Index of ")
	b.WriteString(title)
	b.WriteString("</title>\n<h1>Index of ")
	b.WriteString(title)
	b.WriteString("</h1>\n<pre>\n")
	if name != "." {
		b.WriteString("<a href=\"../\">../</a>\n")
	}
	for _, e := range entries {
		n := e.Name()
		if !s.dotfiles && strings.HasPrefix(n, ".") {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		// url.URL escapes the name and guards a leading "a:" against
		// being read as a scheme.
		href := (&url.URL{Path: n}).String()
		b.WriteString("<a href=\"")
		b.WriteString(html.EscapeString(href))
		b.WriteString("\">")
		b.WriteString(html.EscapeString(n))
		b.WriteString("</a>\n")
	}
	b.WriteString("</pre>\n")
	h := w.Header()
	h["Content-Type"] = []string{"text/html; charset=utf-8"}
	h["X-Content-Type-Options"] = nosniff
	h["Content-Length"] = []string{strconv.Itoa(b.Len())}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		io.WriteString(w, b.String())
	}
	return nil
}

func addVary(h http.Header) {
	vs := h["Vary"]
	if len(vs) == 0 {
		h["Vary"] = varyAcceptEncoding
		return
	}
	for _, v := range vs {
		if strings.Contains(strings.ToLower(v), "accept-encoding") {
			return
		}
	}
	h["Vary"] = append(vs, "Accept-Encoding")
}
