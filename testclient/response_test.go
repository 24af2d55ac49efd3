package testclient_test

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/testclient"
)

func TestCookieJar(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc123", Path: "/", HttpOnly: true})
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie("session")
		if err != nil {
			http.Error(w, "anonymous", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "session="+ck.Value)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Path: "/", MaxAge: -1})
	})
	c := testclient.New(mux)

	if res := c.Get("/me"); res.Status != http.StatusUnauthorized {
		t.Fatalf("GET /me before login = %d, want 401", res.Status)
	}
	res := c.Post("/login")
	if res.Status != http.StatusNoContent {
		t.Fatalf("POST /login = %d, %v", res.Status, res.Err)
	}
	if ck := res.Cookie("session"); ck == nil || ck.Value != "abc123" || !ck.HttpOnly {
		t.Fatalf("Response.Cookie(session) = %v", ck)
	}
	if ck := res.Cookie("missing"); ck != nil {
		t.Errorf("Response.Cookie(missing) = %v, want nil", ck)
	}
	base, _ := url.Parse("http://testserver/")
	if cks := c.Jar().Cookies(base); len(cks) != 1 || cks[0].Value != "abc123" {
		t.Fatalf("jar cookies = %v", cks)
	}
	if res := c.Get("/me"); res.Status != http.StatusOK || res.Text() != "session=abc123" {
		t.Fatalf("GET /me after login = %d %q", res.Status, res.Text())
	}
	// A one-off cookie is sent but not stored in the jar.
	if res := c.Get("/me", testclient.Cookie(&http.Cookie{Name: "extra", Value: "1"})); res.Status != http.StatusOK {
		t.Fatalf("GET /me with one-off cookie = %d", res.Status)
	}
	if cks := c.Jar().Cookies(base); len(cks) != 1 {
		t.Fatalf("jar cookies after one-off cookie = %v", cks)
	}

	if res := c.Post("/logout"); res.Status != http.StatusOK {
		t.Fatalf("POST /logout = %d", res.Status)
	}
	if cks := c.Jar().Cookies(base); len(cks) != 0 {
		t.Fatalf("jar cookies after logout = %v", cks)
	}
	if res := c.Get("/me"); res.Status != http.StatusUnauthorized {
		t.Fatalf("GET /me after logout = %d, want 401", res.Status)
	}
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "hop", Value: "1"})
		http.Redirect(w, r, "/new?from=old", http.StatusFound)
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/target", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		ck, _ := r.Cookie("hop")
		io.WriteString(w, "new "+r.Method+" "+r.URL.RawQuery+" cookie="+ck.String())
	})
	mux.HandleFunc("POST /target", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		io.WriteString(w, "target got "+string(body))
	})
	tests := []struct {
		name       string
		opts       []testclient.Option
		method     string
		path       string
		reqOpts    []testclient.RequestOption
		wantStatus int
		wantBody   string
		wantLoc    string
		wantPath   string
	}{
		{"followed", nil, http.MethodGet, "/old", nil, 200, "new GET from=old cookie=hop=1", "", "/new"},
		{"not followed", []testclient.Option{testclient.WithoutRedirects()}, http.MethodGet, "/old", nil, 302, "", "/new?from=old", "/old"},
		{"307 keeps body", nil, http.MethodPost, "/submit", []testclient.RequestOption{testclient.Body("text/plain", []byte("payload"))}, 200, "target got payload", "", "/target"},
		{"307 not followed", []testclient.Option{testclient.WithoutRedirects()}, http.MethodPost, "/submit", nil, 307, "", "/target", "/submit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := testclient.New(mux, tt.opts...).Do(tt.method, tt.path, tt.reqOpts...)
			if res.Err != nil || res.Status != tt.wantStatus {
				t.Fatalf("status %d, err %v; want %d", res.Status, res.Err, tt.wantStatus)
			}
			if tt.wantBody != "" && res.Text() != tt.wantBody {
				t.Errorf("body = %q, want %q", res.Text(), tt.wantBody)
			}
			if got := res.Header.Get("Location"); got != tt.wantLoc {
				t.Errorf("Location = %q, want %q", got, tt.wantLoc)
			}
			if got := res.Raw.Request.URL.Path; got != tt.wantPath {
				t.Errorf("final request path = %q, want %q", got, tt.wantPath)
			}
		})
	}
}

func TestHead(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "11")
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "hello world")
	})
	res := testclient.New(h).Head("/")
	if res.Err != nil || res.Status != http.StatusOK {
		t.Fatalf("status %d, err %v", res.Status, res.Err)
	}
	if len(res.Body) != 0 {
		t.Errorf("HEAD body = %q, want empty", res.Body)
	}
	if res.Header.Get("Content-Length") != "11" || res.Raw.ContentLength != 11 {
		t.Errorf("Content-Length header %q, ContentLength %d", res.Header.Get("Content-Length"), res.Raw.ContentLength)
	}
}

func TestResponseSemantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		wantStatus  int
		wantBody    string
		wantHeader  map[string]string // "" means absent
		wantCL      int64
		wantErr     error
		wantTrailer map[string]string
	}{
		{
			name:       "implicit 200 and sniffed content type",
			handler:    func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>hi</html>") },
			wantStatus: 200, wantBody: "<html>hi</html>", wantCL: -1,
			wantHeader: map[string]string{"Content-Type": "text/html; charset=utf-8"},
		},
		{
			name:       "empty handler",
			handler:    func(w http.ResponseWriter, r *http.Request) {},
			wantStatus: 200, wantCL: -1,
		},
		{
			name: "header changes after commit are ignored",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Before", "yes")
				w.WriteHeader(http.StatusCreated)
				w.Header().Set("X-After", "yes")
				w.WriteHeader(http.StatusTeapot) // superfluous
				io.WriteString(w, "created")
			},
			wantStatus: 201, wantBody: "created", wantCL: -1,
			wantHeader: map[string]string{"X-Before": "yes", "X-After": ""},
		},
		{
			name: "informational status is skipped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.WriteHeader(http.StatusAccepted)
			},
			wantStatus: 202, wantCL: -1,
		},
		{
			name: "declared content length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "5")
				io.WriteString(w, "12345")
			},
			wantStatus: 200, wantBody: "12345", wantCL: 5,
		},
		{
			name: "content length overflow is refused",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "3")
				if _, err := io.WriteString(w, "toolong"); !errors.Is(err, http.ErrContentLength) {
					panic("want ErrContentLength, got " + errString(err))
				}
			},
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "short content length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "10")
				io.WriteString(w, "short")
			},
			wantErr: io.ErrUnexpectedEOF,
		},
		{
			name: "no body allowed for 204",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNoContent)
				if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
					panic("want ErrBodyNotAllowed, got " + errString(err))
				}
			},
			wantStatus: 204, wantCL: 0,
		},
		{
			name: "trailers",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Trailer", "X-Checksum")
				io.WriteString(w, "data")
				w.Header().Set("X-Checksum", "abc")
				w.Header().Set(http.TrailerPrefix+"X-Late", "late")
			},
			wantStatus: 200, wantBody: "data", wantCL: -1,
			wantHeader:  map[string]string{"Trailer": ""},
			wantTrailer: map[string]string{"X-Checksum": "abc", "X-Late": "late"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := testclient.New(tt.handler, testclient.WithErrorLog(quietLog)).Get("/")
			if tt.wantErr != nil {
				if !errors.Is(res.Err, tt.wantErr) || res.Status != 0 {
					t.Fatalf("status %d, err %v; want error %v", res.Status, res.Err, tt.wantErr)
				}
				return
			}
			if res.Err != nil || res.Status != tt.wantStatus {
				t.Fatalf("status %d, err %v; want %d", res.Status, res.Err, tt.wantStatus)
			}
			if res.Text() != tt.wantBody {
				t.Errorf("body = %q, want %q", res.Text(), tt.wantBody)
			}
			if res.Raw.ContentLength != tt.wantCL {
				t.Errorf("ContentLength = %d, want %d", res.Raw.ContentLength, tt.wantCL)
			}
			for k, want := range tt.wantHeader {
				if got := res.Header.Get(k); got != want {
					t.Errorf("header %s = %q, want %q", k, got, want)
				}
			}
			for k, want := range tt.wantTrailer {
				if got := res.Raw.Trailer.Get(k); got != want {
					t.Errorf("trailer %s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestPanickingHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		wantStatus int
		wantBody   string
		wantErr    bool
		wantAbort  bool
	}{
		{
			name: "before writing",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Leaked", "1")
				panic("boom")
			},
			wantStatus: 500, wantBody: "Internal Server Error\n",
		},
		{
			name:       "invalid status code",
			handler:    func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(42) },
			wantStatus: 500, wantBody: "Internal Server Error\n",
		},
		{
			name: "after writing",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "partial")
				panic(errors.New("boom"))
			},
			wantErr: true, wantBody: "partial",
		},
		{
			name:    "abort before writing",
			handler: func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) },
			wantErr: true, wantAbort: true,
		},
		{
			name: "abort after writing",
			handler: func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "partial")
				panic(http.ErrAbortHandler)
			},
			wantErr: true, wantAbort: true, wantBody: "partial",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logBuf := new(syncBuffer)
			c := testclient.New(tt.handler, testclient.WithErrorLog(log.New(logBuf, "", 0)))
			res := c.Get("/panic")
			if (res.Err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", res.Err, tt.wantErr)
			}
			if res.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d", res.Status, tt.wantStatus)
			}
			if res.Text() != tt.wantBody {
				t.Errorf("body = %q, want %q", res.Text(), tt.wantBody)
			}
			if got := errors.Is(res.Err, http.ErrAbortHandler); got != tt.wantAbort {
				t.Errorf("errors.Is(err, ErrAbortHandler) = %v, want %v (err %v)", got, tt.wantAbort, res.Err)
			}
			if tt.wantStatus == 500 && res.Header.Get("X-Leaked") != "" {
				t.Error("500 response kept the handler's headers")
			}
			logged := logBuf.String()
			if tt.wantAbort != (logged == "") {
				t.Errorf("panic log = %q", logged)
			}
			if !tt.wantAbort && !strings.Contains(logged, "panic serving GET /panic") {
				t.Errorf("panic log does not describe the request: %q", logged)
			}
		})
	}
}

func TestResponseJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr bool
	}{
		{"valid", `{"message":"hi"}`, false},
		{"invalid", `{"message":`, true},
		{"empty", ``, true},
		{"not json", `hello`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, tt.body) })
			var v struct{ Message string }
			err := testclient.New(h).Get("/").JSON(&v)
			if (err != nil) != tt.wantErr {
				t.Fatalf("JSON() error = %v, want error: %v", err, tt.wantErr)
			}
			if !tt.wantErr && v.Message != "hi" {
				t.Errorf("decoded %+v", v)
			}
		})
	}
}
