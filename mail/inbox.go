package mail

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
)

// DefaultInboxPath is where MountInbox serves the development inbox.
const DefaultInboxPath = "/_nexios/mail"

// ErrInboxDisabled is returned by NewInbox and MountInbox outside
// development mode.
var ErrInboxDisabled = errors.New("mail: the development inbox is only served in debug mode (set InboxConfig.Force to serve it anyway, behind authentication)")

// InboxConfig configures the development inbox.
type InboxConfig struct {
	// Path is where the inbox is mounted, for its links. Default
	// DefaultInboxPath.
	Path string
	// Dev reports development mode (the app's Config.Debug). NewInbox
	// refuses to build the inbox without it. MountInbox sets it from the
	// app.
	Dev bool
	// Force builds the inbox even when Dev is false, for a staging server
	// that must show its mail. The inbox shows every message with its
	// content: put it behind authentication, never on a public server.
	Force bool
}

// NewInbox returns the development inbox for mem: an http.Handler that
// lists the kept messages, newest first, and shows each one's headers, an
// HTML preview, the plain text, the raw message and a .eml download. Mount
// it under cfg.Path with the prefix stripped (http.StripPrefix, or
// Router.MountHandler as MountInbox does).
//
// The preview never runs the mail's scripts: it is served with a CSP
// sandbox and shown in a sandboxed iframe; the inbox pages themselves run
// no script. Clearing the inbox is a POST checked against cross-origin
// requests.
func NewInbox(mem *Memory, cfg InboxConfig) (http.Handler, error) {
	if !cfg.Dev && !cfg.Force {
		return nil, ErrInboxDisabled
	}
	if mem == nil {
		return nil, errors.New("mail: NewInbox: nil Memory")
	}
	if cfg.Path == "" {
		cfg.Path = DefaultInboxPath
	}
	cfg.Path = "/" + strings.Trim(cfg.Path, "/")
	in := &inbox{mem: mem, base: cfg.Path}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", in.list)
	mux.HandleFunc("GET /{id}", in.detail)
	mux.HandleFunc("GET /{id}/html", in.previewHTML)
	mux.HandleFunc("GET /{id}/text", in.plainText)
	mux.HandleFunc("GET /{id}/eml", in.eml)
	mux.HandleFunc("GET /{id}/attachments/{n}", in.attachment)
	mux.Handle("POST /clear", http.NewCrossOriginProtection().Handler(http.HandlerFunc(in.clear)))
	return mux, nil
}

// MountInbox mounts the development inbox of mem on app at cfg.Path
// (default /_nexios/mail), hidden from the OpenAPI document. It returns
// ErrInboxDisabled unless app's Config.Debug is set or cfg.Force.
func MountInbox(app *nexios.App, mem *Memory, cfg InboxConfig) error {
	cfg.Dev = app.Config().Debug
	h, err := NewInbox(mem, cfg)
	if err != nil {
		return err
	}
	if cfg.Path == "" {
		cfg.Path = DefaultInboxPath
	}
	app.MountHandler(cfg.Path, h, nexios.ExcludeFromSchema())
	return nil
}

type inbox struct {
	mem  *Memory
	base string
}

// pageCSP lets the inbox pages load nothing but their own inline styles
// and frames: no script runs on them.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'self'"

// previewCSP sandboxes the mail's HTML even when opened on its own: no
// script, no form, no plugin, an opaque origin; links may open in a new
// tab on a click. Images: inline ones (rewritten to data: URLs) and
// remote HTTPS ones.
const previewCSP = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; " +
	"style-src 'unsafe-inline'; img-src data: https:; font-src data:; base-uri 'none'; " +
	"form-action 'none'; frame-ancestors 'self'"

// fileCSP is for downloads and plain text: nothing runs if a browser
// renders them anyway.
const fileCSP = "sandbox; default-src 'none'"

func secure(w http.ResponseWriter, csp string) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
}

func (in *inbox) find(w http.ResponseWriter, r *http.Request) *Sent {
	s := in.mem.Get(r.PathValue("id"))
	if s == nil {
		secure(w, pageCSP)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = inboxPage.ExecuteTemplate(w, "missing", in.base)
	}
	return s
}

func (in *inbox) list(w http.ResponseWriter, r *http.Request) {
	msgs := in.mem.Messages()
	rows := make([]*Sent, len(msgs))
	for i, s := range msgs {
		rows[len(msgs)-1-i] = s // newest first
	}
	in.page(w, "list", map[string]any{"Base": in.base, "Messages": rows})
}

func (in *inbox) detail(w http.ResponseWriter, r *http.Request) {
	s := in.find(w, r)
	if s == nil {
		return
	}
	view := r.URL.Query().Get("view")
	switch view {
	case "html", "text", "raw":
	default:
		view = "text"
		if s.Message.HTML != "" {
			view = "html"
		}
	}
	in.page(w, "detail", map[string]any{
		"Base": in.base, "S": s, "M": &s.Message, "View": view, "Raw": string(s.Envelope.Raw),
		"Date": s.Envelope.Date.Format("2006-01-02 15:04:05 MST"),
	})
}

func (in *inbox) page(w http.ResponseWriter, name string, data any) {
	secure(w, pageCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := inboxPage.ExecuteTemplate(w, name, data); err != nil {
		http.Error(w, "inbox page: "+err.Error(), http.StatusInternalServerError)
	}
}

var cidRE = regexp.MustCompile(`(?i)\bcid:([^"'\s<>)]+)`)

// previewHTML serves the mail's HTML under the preview sandbox, with cid:
// references to inline files replaced by data: URLs.
func (in *inbox) previewHTML(w http.ResponseWriter, r *http.Request) {
	s := in.find(w, r)
	if s == nil {
		return
	}
	body := cidRE.ReplaceAllStringFunc(s.Message.HTML, func(ref string) string {
		id := ref[len("cid:"):]
		for _, a := range s.Message.Attachments {
			cid := a.ContentID
			if cid == "" {
				cid = a.Filename
			}
			if a.Inline && cid == id {
				return "data:" + attachmentType(a) + ";base64," + base64.StdEncoding.EncodeToString(a.Data)
			}
		}
		return ref
	})
	secure(w, previewCSP)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(body))
}

func (in *inbox) plainText(w http.ResponseWriter, r *http.Request) {
	s := in.find(w, r)
	if s == nil {
		return
	}
	secure(w, fileCSP)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(s.Message.Text))
}

func (in *inbox) eml(w http.ResponseWriter, r *http.Request) {
	s := in.find(w, r)
	if s == nil {
		return
	}
	secure(w, fileCSP)
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "message-" + s.ID + ".eml"}))
	w.Header().Set("Content-Length", strconv.Itoa(len(s.Envelope.Raw)))
	_, _ = w.Write(s.Envelope.Raw)
}

func (in *inbox) attachment(w http.ResponseWriter, r *http.Request) {
	s := in.find(w, r)
	if s == nil {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(s.Message.Attachments) {
		secure(w, fileCSP)
		http.NotFound(w, r)
		return
	}
	a := s.Message.Attachments[n]
	secure(w, fileCSP)
	// Always a download: an attached HTML or SVG file must not render on
	// the inbox's origin.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(a.Filename)}))
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}

func (in *inbox) clear(w http.ResponseWriter, r *http.Request) {
	in.mem.Clear()
	http.Redirect(w, r, in.base+"/", http.StatusSeeOther)
}

func joinAddrs(list []string) string { return strings.Join(list, ", ") }

func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return strconv.Itoa(n) + " B"
	}
}

var inboxPage = template.Must(template.New("inbox").Funcs(template.FuncMap{
	"join": joinAddrs,
	"size": humanSize,
}).Parse(inboxHTML))
