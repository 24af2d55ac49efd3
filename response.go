package nexios

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"unsafe"
)

// Response writes the HTTP response. Body writers (JSON, Text, …) send the
// status set with Status (default 200), the headers and the body in one go;
// a response is written once, and a second body write returns
// ErrResponseCommitted. Response is an http.ResponseWriter, keeps
// Flush/Hijack working and unwraps to the server's writer, so net/http code
// accepts it.
type Response struct {
	w           http.ResponseWriter // where writes go; middleware may wrap it
	tw          trackingWriter      // next to the server's writer
	req         *Request
	status      int
	wroteHeader bool
	after       taskList // background tasks (After)
}

func (r *Response) init(w http.ResponseWriter, _ *http.Request) {
	r.tw = trackingWriter{w: w}
	r.w = &r.tw
	r.status = http.StatusOK
	r.wroteHeader = false
}

func (r *Response) release() {
	r.tw = trackingWriter{}
	r.w = nil
	r.after = taskList{}
}

// Request returns the request this response answers.
func (r *Response) Request() *Request { return r.req }

// Status sets the status code the next body writer sends, and returns r for
// chaining: res.Status(201).JSON(user).
func (r *Response) Status(code int) *Response {
	r.status = code
	return r
}

// StatusCode returns the status sent, or the one that will be sent.
func (r *Response) StatusCode() int {
	if r.tw.wroteHeader {
		return r.tw.status
	}
	return r.status
}

// Size returns the number of body bytes written to the client so far.
func (r *Response) Size() int64 { return r.tw.size }

// Committed reports whether the status line has been written.
func (r *Response) Committed() bool { return r.wroteHeader || r.tw.wroteHeader }

// Header returns the response headers, to change before the body is written.
func (r *Response) Header() http.Header { return r.w.Header() }

// SetHeader sets a response header and returns r for chaining.
func (r *Response) SetHeader(key, value string) *Response {
	r.w.Header().Set(key, value)
	return r
}

// WriteHeader sends the status line and headers. An out-of-range code is
// sent as 500 rather than crashing the handler.
func (r *Response) WriteHeader(code int) {
	if r.Committed() {
		return
	}
	if code < 100 || code > 999 {
		code = http.StatusInternalServerError
	}
	if code >= 200 || code == http.StatusSwitchingProtocols {
		r.wroteHeader = true // 1xx (103 Early Hints) precede the real status
		r.status = code      // StatusCode reports it even while a wrapper buffers
	}
	r.w.WriteHeader(code)
}

// Write writes body bytes, sending the pending status first.
func (r *Response) Write(b []byte) (int, error) {
	if !r.Committed() {
		r.WriteHeader(r.status)
	}
	return r.w.Write(b)
}

// Writer returns the writer the response currently writes to. Middleware
// that wraps the response (compression, buffering) wraps this writer and
// installs the wrapper with SetWriter, never the Response itself.
func (r *Response) Writer() http.ResponseWriter { return r.w }

// SetWriter installs w as the writer the response writes to.
func (r *Response) SetWriter(w http.ResponseWriter) { r.w = w }

// Unwrap returns the underlying writer, for http.ResponseController.
func (r *Response) Unwrap() http.ResponseWriter { return r.w }

// Flush sends buffered data to the client (committing the status first).
func (r *Response) Flush() { _ = r.FlushError() }

// FlushError is Flush reporting whether the writer chain can flush.
func (r *Response) FlushError() error {
	if !r.Committed() {
		r.WriteHeader(r.status)
	}
	return http.NewResponseController(r.w).Flush()
}

// Hijack takes over the connection (for protocols such as WebSocket).
func (r *Response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.w).Hijack()
}

// Shared header values: assigning them avoids an allocation per response.
var (
	ctJSON    = []string{"application/json"}
	ctText    = []string{"text/plain; charset=utf-8"}
	ctHTML    = []string{"text/html; charset=utf-8"}
	ctXML     = []string{"application/xml; charset=utf-8"}
	ctProblem = []string{"application/problem+json"}
)

// net/http computes Content-Length itself for bodies it can buffer whole.
const serverBuffered = 2048

func (r *Response) send(ct []string, body []byte) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	if r.status < 200 || r.status > 999 {
		return fmt.Errorf("nexios: invalid status %d for a response with a body writer (1xx are informational: use WriteHeader)", r.status)
	}
	h := r.w.Header()
	if !bodyAllowed(r.status) {
		r.WriteHeader(r.status) // 204 and 304 carry no body, hence no Content-Type
		return nil
	}
	if ct != nil {
		h["Content-Type"] = ct
	}
	if len(body) >= serverBuffered {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	r.WriteHeader(r.status)
	_, err := r.w.Write(body)
	return err
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// Text writes s as text/plain.
func (r *Response) Text(s string) error {
	if len(s) < serverBuffered {
		// Avoid copying short strings: net/http buffers the write anyway.
		return r.send(ctText, stringBytes(s))
	}
	return r.send(ctText, []byte(s))
}

// HTML writes s as text/html. s is sent as is: escape untrusted data, or
// use the template package.
func (r *Response) HTML(s string) error { return r.send(ctHTML, []byte(s)) }

// Bytes writes b with the given Content-Type.
func (r *Response) Bytes(contentType string, b []byte) error {
	return r.send([]string{contentType}, b)
}

// JSON writes v as application/json with the app's JSON codec.
func (r *Response) JSON(v any) error { return r.writeJSON("", v) }

func (r *Response) writeJSON(contentType string, v any) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	app := r.req.app
	buf := app.getBuffer()
	defer app.putBuffer(buf)
	if err := app.encodeJSON(buf, v); err != nil {
		return fmt.Errorf("nexios: encoding JSON response: %w", err)
	}
	ct := ctJSON
	if contentType == "application/problem+json" {
		ct = ctProblem
	} else if contentType != "" {
		ct = []string{contentType}
	}
	return r.send(ct, buf.Bytes())
}

// XML writes v as application/xml with an XML declaration.
func (r *Response) XML(v any) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	buf := r.req.app.getBuffer()
	defer r.req.app.putBuffer(buf)
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(buf).Encode(v); err != nil {
		return fmt.Errorf("nexios: encoding XML response: %w", err)
	}
	return r.send(ctXML, buf.Bytes())
}

// Body is a custom response type: a value that knows its media type and how
// to encode itself. Send writes one.
type Body interface {
	MediaType() string
	Encode(w io.Writer) error
}

// Send encodes b and writes it with b's media type. The body is encoded in
// full before anything is sent, so an encoding error still gets a clean
// error response.
func (r *Response) Send(b Body) error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	buf := r.req.app.getBuffer()
	defer r.req.app.putBuffer(buf)
	if err := b.Encode(buf); err != nil {
		return fmt.Errorf("nexios: encoding %s response: %w", b.MediaType(), err)
	}
	return r.send([]string{b.MediaType()}, buf.Bytes())
}

// NoContent sends 204 No Content.
func (r *Response) NoContent() error {
	if r.Committed() {
		return ErrResponseCommitted
	}
	r.WriteHeader(http.StatusNoContent)
	return nil
}

// Redirect sends a redirect to url with code (302 Found when 0). The code
// must be 3xx.
func (r *Response) Redirect(url string, code int) error {
	if code == 0 {
		code = http.StatusFound
	}
	if code < 300 || code > 399 {
		return fmt.Errorf("nexios: redirect status %d is not 3xx", code)
	}
	if r.Committed() {
		return ErrResponseCommitted
	}
	http.Redirect(r, r.req.r, url, code)
	return nil
}

// SetCookie adds a Set-Cookie header. Unset attributes get safe defaults:
// Path "/", SameSite=Lax, and Secure when the request came over TLS. An
// invalid cookie is an error, not silently dropped.
func (r *Response) SetCookie(c *http.Cookie) error {
	ck := *c
	if ck.Path == "" {
		ck.Path = "/"
	}
	if ck.SameSite == 0 { // unset; SameSiteDefaultMode is an explicit choice
		ck.SameSite = http.SameSiteLaxMode
	}
	if r.req.r.TLS != nil {
		ck.Secure = true
	}
	if err := ck.Valid(); err != nil {
		return fmt.Errorf("nexios: invalid cookie %q: %w", c.Name, err)
	}
	r.w.Header().Add("Set-Cookie", ck.String())
	return nil
}

// DeleteCookie tells the client to drop the cookie name at path "/".
func (r *Response) DeleteCookie(name string) {
	_ = r.SetCookie(&http.Cookie{Name: name, Value: "", MaxAge: -1})
}

// trackingWriter records the status and size of what reaches the server.
type trackingWriter struct {
	w           http.ResponseWriter
	status      int
	size        int64
	wroteHeader bool
}

func (t *trackingWriter) Header() http.Header { return t.w.Header() }

func (t *trackingWriter) WriteHeader(code int) {
	if t.wroteHeader {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		t.w.WriteHeader(code) // informational: the real status follows
		return
	}
	t.wroteHeader, t.status = true, code
	t.w.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	if !t.wroteHeader {
		t.WriteHeader(http.StatusOK)
	}
	n, err := t.w.Write(b)
	t.size += int64(n)
	return n, err
}

func (t *trackingWriter) FlushError() error {
	if !t.wroteHeader {
		t.WriteHeader(http.StatusOK)
	}
	return http.NewResponseController(t.w).Flush()
}

func (t *trackingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(t.w).Hijack()
	if err == nil {
		t.wroteHeader, t.status = true, http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.w }

// JSONCodec encodes and decodes JSON; set Config.JSON to use another
// library than encoding/json.
type JSONCodec interface {
	Encode(w io.Writer, v any) error
	Decode(data []byte, v any) error
}

type stdJSON struct{}

func (stdJSON) Encode(w io.Writer, v any) error { return json.NewEncoder(w).Encode(v) }
func (stdJSON) Decode(data []byte, v any) error { return json.Unmarshal(data, v) }

// customDecoder returns c's Decode, or nil for the default codec: the
// binder then knows encoding/json's errors and locates them faster.
func customDecoder(c JSONCodec) func([]byte, any) error {
	if _, ok := c.(stdJSON); ok {
		return nil
	}
	return c.Decode
}

// encBuffer is a pooled body buffer with a JSON encoder bound to it.
type encBuffer struct {
	bytes.Buffer
	enc *json.Encoder
}

// Buffers above this size are dropped instead of pooled, so one huge
// response does not pin memory.
const maxPooledBuffer = 64 << 10

func (a *App) getBuffer() *encBuffer {
	if b, ok := a.buffers.Get().(*encBuffer); ok {
		b.Reset()
		return b
	}
	b := &encBuffer{}
	b.enc = json.NewEncoder(&b.Buffer)
	return b
}

func (a *App) putBuffer(b *encBuffer) {
	if b.Cap() <= maxPooledBuffer {
		a.buffers.Put(b)
	}
}

func (a *App) encodeJSON(b *encBuffer, v any) error {
	if _, ok := a.cfg.JSON.(stdJSON); ok {
		return b.enc.Encode(v)
	}
	return a.cfg.JSON.Encode(b, v)
}

// stringBytes views s as bytes without copying. Writers must not modify
// or retain what they are given (io.Writer's contract), so this is safe.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
