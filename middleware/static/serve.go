package static

import (
	"bytes"
	"errors"
	"hash/crc32"
	"html"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

type outcome uint8

const (
	served outcome = iota
	notFound
	forbidden
)

// serve answers a GET or HEAD request for the URL path p.
func (s *server) serve(w http.ResponseWriter, r *http.Request, p string) outcome {
	name, dir, ok := s.resolve(r, p)
	if !ok {
		return notFound
	}
	fi, err := fs.Stat(s.fsys, name)
	if err != nil {
		return statOutcome(err)
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
			return served
		}
		index := path.Join(name, s.index)
		if ifi, err := fs.Stat(s.fsys, index); err == nil && ifi.Mode().IsRegular() {
			return s.serveFile(w, r, index, ifi)
		}
		if s.browse {
			return s.list(w, r, name)
		}
		return notFound
	}
	if dir || !fi.Mode().IsRegular() {
		return notFound // "file.txt/", sockets, pipes, devices
	}
	return s.serveFile(w, r, name, fi)
}

func statOutcome(err error) outcome {
	if errors.Is(err, fs.ErrPermission) {
		return forbidden
	}
	// Missing, or refused by os.Root (a symlink out of the root): both are
	// simply not there.
	return notFound
}

// encodings are the precompressed variants looked for, in the server's
// order of preference.
var encodings = [...]struct {
	coding, ext string
	header      []string
}{
	{"br", ".br", []string{"br"}},
	{"zstd", ".zst", []string{"zstd"}},
	{"gzip", ".gz", []string{"gzip"}},
}

var varyAcceptEncoding = []string{"Accept-Encoding"}

// serveFile sends the file name (a regular file described by fi), or its
// best precompressed variant, through http.ServeContent.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, name string, fi fs.FileInfo) outcome {
	h := w.Header()
	servedName, coding := name, -1
	if s.precompressed {
		addVary(h)
		if ae := r.Header["Accept-Encoding"]; len(ae) > 0 {
			servedName, coding, fi = s.variant(ae, name, fi)
		}
	}
	f, err := s.fsys.Open(servedName)
	if err != nil {
		return statOutcome(err)
	}
	defer f.Close()
	content, ok := f.(io.ReadSeeker)
	if !ok {
		// An fs.FS whose files cannot seek: read this one into memory.
		b, err := io.ReadAll(f)
		if err != nil {
			return notFound
		}
		content = bytes.NewReader(b)
	}
	if _, set := h["Content-Type"]; !set {
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			h["Content-Type"] = []string{ct}
		} else if coding >= 0 {
			// The variant's bytes are compressed: sniff the original.
			h["Content-Type"] = []string{s.sniff(name)}
		}
	}
	if coding >= 0 {
		h["Content-Encoding"] = encodings[coding].header
	}
	if tag := s.etag(servedName, fi, content); tag != "" {
		h["Etag"] = []string{tag}
	}
	if s.cacheControl != nil {
		h["Cache-Control"] = s.cacheControl
	}
	h["X-Content-Type-Options"] = nosniff
	if coding >= 0 {
		// ServeContent leaves out Content-Length when Content-Encoding is
		// set (for on-the-fly compressors); a variant's length is known.
		w = &lengthWriter{ResponseWriter: w, size: fi.Size()}
	}
	http.ServeContent(w, r, name, fi.ModTime(), content)
	return served
}

// lengthWriter adds the Content-Length of a precompressed variant to a
// full (200) response.
type lengthWriter struct {
	http.ResponseWriter
	size int64
}

func (l *lengthWriter) WriteHeader(code int) {
	if h := l.Header(); code == http.StatusOK && len(h["Content-Length"]) == 0 {
		h["Content-Length"] = []string{strconv.FormatInt(l.size, 10)}
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *lengthWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }

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
		if vfi, err := fs.Stat(s.fsys, vname); err == nil && vfi.Mode().IsRegular() {
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
func (s *server) sniff(name string) string {
	f, err := s.fsys.Open(name)
	if err != nil {
		return "application/octet-stream"
	}
	defer f.Close()
	var buf [512]byte
	n, _ := io.ReadFull(f, buf[:])
	return http.DetectContentType(buf[:n])
}

// etag returns a strong entity tag for the file: its modification time
// and size, or, for file systems without modification times (embed.FS),
// a checksum of its content, computed once.
func (s *server) etag(name string, fi fs.FileInfo, content io.ReadSeeker) string {
	const hexDigits = "0123456789abcdef"
	var buf [40]byte
	b := append(buf[:0], '"')
	if mt := fi.ModTime(); !mt.IsZero() {
		b = strconv.AppendInt(b, mt.UnixNano(), 16)
		b = append(b, '-')
		b = strconv.AppendInt(b, fi.Size(), 16)
		return string(append(b, '"'))
	}
	key := etagKey{name, fi.Size()}
	if tag, ok := s.tags.Load(key); ok {
		return tag.(string)
	}
	c, ieee := crc32.New(crc32.MakeTable(crc32.Castagnoli)), crc32.NewIEEE()
	if _, err := io.Copy(io.MultiWriter(c, ieee), content); err != nil {
		return ""
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return ""
	}
	b = strconv.AppendInt(b, fi.Size(), 16)
	b = append(b, '-')
	sum := uint64(c.Sum32())<<32 | uint64(ieee.Sum32())
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(sum>>uint(shift))&0xf])
	}
	tag := string(append(b, '"'))
	s.tags.Store(key, tag)
	return tag
}

// list writes an HTML listing of the directory name.
func (s *server) list(w http.ResponseWriter, r *http.Request, name string) outcome {
	entries, err := fs.ReadDir(s.fsys, name)
	if err != nil {
		return statOutcome(err)
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
	return served
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
