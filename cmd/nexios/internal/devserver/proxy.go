package devserver

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DevPath is the path prefix of the dev server's own routes (the reload
// script and its event stream); everything else goes to the app.
const DevPath = "/_nexios/dev/"

// maxInject is the largest HTML response the reload script is added to;
// larger ones pass through untouched.
const maxInject = 8 << 20

// proxy is the handler in front of the app: it forwards requests while
// the app runs, holds them while it is being rebuilt, shows the
// compiler's output while the build is broken, and adds the reload script
// to HTML pages.
type proxy struct {
	st     *status
	rp     *httputil.ReverseProxy
	log    *slog.Logger
	hold   time.Duration // how long a request waits for a rebuild
	ticker time.Duration // keep-alive period of the event stream
}

type targetKey struct{}

func newProxy(st *status, log *slog.Logger, hold time.Duration) *proxy {
	p := &proxy{st: st, log: log, hold: hold, ticker: 15 * time.Second}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DisableCompression = true // or it asks for gzip itself
	p.rp = &httputil.ReverseProxy{
		Transport: transport,
		Rewrite: func(r *httputil.ProxyRequest) {
			target := r.In.Context().Value(targetKey{}).(*url.URL)
			r.SetURL(target)
			r.Out.Host = r.In.Host // the app sees the address the browser used
			r.SetXForwarded()
			// The script is added to uncompressed HTML only: ask for that.
			r.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: p.inject,
		ErrorHandler:   p.unreachable,
		FlushInterval:  -1, // streams (SSE) reach the browser as they are written
	}
	return p
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case DevPath + "reload.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, reloadJS)
		return
	case DevPath + "events":
		p.events(w, r)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), p.hold)
	snap, err := p.st.settled(ctx)
	cancel()
	if err != nil {
		p.page(w, snap, http.StatusServiceUnavailable, "Still building", "The app is still being built or started; this page reloads when it is ready.")
		return
	}
	switch snap.phase {
	case failed:
		p.page(w, snap, http.StatusInternalServerError, "Build failed", snap.output)
	case crashed:
		p.page(w, snap, http.StatusBadGateway, "The app is not running", snap.output)
	default:
		u := &url.URL{Scheme: "http", Host: snap.target}
		p.rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), targetKey{}, u)))
	}
}

// unreachable answers when the app did not take the request (it is
// restarting, or died between two checks).
func (p *proxy) unreachable(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client left
	}
	p.page(w, p.st.get(), http.StatusBadGateway, "The app did not answer", err.Error())
}

// inject adds the reload script to an HTML response.
func (p *proxy) inject(res *http.Response) error {
	ct := res.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "text/html") || res.Header.Get("Content-Encoding") != "" ||
		res.ContentLength > maxInject || res.Request.Method == http.MethodHead {
		return nil
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxInject+1))
	_ = res.Body.Close()
	if err != nil {
		return err
	}
	if len(body) <= maxInject {
		body = addScript(body, p.st.get().gen)
	}
	res.Body = io.NopCloser(bytes.NewReader(body))
	res.ContentLength = int64(len(body))
	res.Header.Set("Content-Length", strconv.Itoa(len(body)))
	res.Header.Del("ETag") // the page is no longer what the app tagged
	return nil
}

// scriptTag is the element added to pages; data-gen tells the script
// which generation the page shows.
func scriptTag(gen uint64) string {
	return fmt.Sprintf(`<script src="%sreload.js" data-gen="%d"></script>`, DevPath, gen)
}

// addScript puts the script tag before the last </body>, or at the end.
func addScript(page []byte, gen uint64) []byte {
	tag := scriptTag(gen)
	i := bytes.LastIndex(bytes.ToLower(page), []byte("</body>"))
	if i < 0 {
		return append(page, tag...)
	}
	out := make([]byte, 0, len(page)+len(tag))
	out = append(out, page[:i]...)
	out = append(out, tag...)
	return append(out, page[i:]...)
}

// events is the event stream pages listen to: "reload" when the page
// they show is out of date.
func (p *proxy) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	updates, unsubscribe := p.st.subscribe()
	defer unsubscribe()
	if _, err := io.WriteString(w, "retry: 500\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	// A page served before a change it missed (it loaded during a
	// rebuild, or nexios dev restarted) reloads at once.
	if seen := r.URL.Query().Get("gen"); seen != "" {
		if snap := p.st.get(); snap.phase != building && seen != strconv.FormatUint(snap.gen, 10) {
			_, _ = fmt.Fprintf(w, "event: reload\ndata: %d\n\n", snap.gen)
			_ = rc.Flush()
			return
		}
	}
	tick := time.NewTicker(p.ticker)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case gen := <-updates:
			_, _ = fmt.Fprintf(w, "event: reload\ndata: %d\n\n", gen)
			_ = rc.Flush()
			return
		case <-tick.C:
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// page writes the dev server's own page: the compiler's output, or why
// the app does not answer, with the reload script.
func (p *proxy) page(w http.ResponseWriter, snap snapshot, status int, title, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	err := pageTemplate.Execute(w, map[string]any{
		"Title": title, "Detail": detail, "Script": template.HTML(scriptTag(snap.gen)),
	})
	if err != nil {
		p.log.Debug("writing the dev page", "error", err)
	}
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}} · nexios dev</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { color: #b3261e; font-size: 1.4rem; }
pre { background: #1e1e1e; color: #f0f0f0; padding: 1rem; overflow: auto; line-height: 1.4; }
p { color: #555; }
</style>
</head>
<body>
<h1 id="nexios-dev-title">{{.Title}}</h1>
<pre id="nexios-dev-output">{{.Detail}}</pre>
<p>nexios dev rebuilds when you save; this page reloads by itself.</p>
{{.Script}}
</body>
</html>
`))

// reloadJS listens to the dev server's event stream and reloads the page
// when told to. It reconnects when nexios dev restarts, and the server
// then sees the page is stale from its generation.
const reloadJS = `(() => {
  const script = document.currentScript;
  const gen = script ? script.dataset.gen : "";
  let source;
  const connect = () => {
    source = new EventSource("` + DevPath + `events?gen=" + encodeURIComponent(gen));
    source.addEventListener("reload", () => { source.close(); location.reload(); });
    source.onerror = () => { source.close(); setTimeout(connect, 500); };
  };
  connect();
})();
`
