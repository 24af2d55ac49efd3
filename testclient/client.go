package testclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/url"
)

// DefaultBaseURL is the base URL requests are resolved against unless
// [WithBaseURL] is used.
const DefaultBaseURL = "http://testserver"

// DefaultRemoteAddr is the RemoteAddr handlers see unless [WithRemoteAddr]
// is used. It belongs to TEST-NET-1 (RFC 5737).
const DefaultRemoteAddr = "192.0.2.1:1234"

// DefaultUserAgent is the User-Agent header sent unless overridden with
// [WithHeader] or [Header].
const DefaultUserAgent = "nexios-testclient"

// Client sends requests to an [http.Handler] in process. It keeps cookies in
// a cookie jar and follows redirects unless [WithoutRedirects] is used.
// A Client is safe for concurrent use by multiple goroutines.
type Client struct {
	rawBaseURL      string
	baseURL         *url.URL
	header          http.Header
	followRedirects bool
	remoteAddr      string
	errorLog        *log.Logger
	jar             *cookiejar.Jar
	hc              *http.Client
	remote          bool // over the network (Remote), not in process
}

// Option configures a [Client] created with [New].
type Option func(*Client)

// WithBaseURL sets the URL request paths are resolved against (see
// [url.URL.ResolveReference]). The default is [DefaultBaseURL]. An https
// base URL makes handlers see a non-nil [http.Request.TLS].
func WithBaseURL(u string) Option {
	return func(c *Client) { c.rawBaseURL = u }
}

// WithHeader adds a header sent with every request. A [Header] request
// option with the same key replaces it for that request.
func WithHeader(key, value string) Option {
	return func(c *Client) { c.header.Add(key, value) }
}

// WithoutRedirects makes the client return redirect responses (3xx) as they
// are instead of following them.
func WithoutRedirects() Option {
	return func(c *Client) { c.followRedirects = false }
}

// WithRemoteAddr sets the [http.Request.RemoteAddr] handlers see. The
// default is [DefaultRemoteAddr].
func WithRemoteAddr(addr string) Option {
	return func(c *Client) { c.remoteAddr = addr }
}

// WithErrorLog sets the logger that receives the value and stack trace of
// handler panics. The default is [log.Default]; nil disables logging.
func WithErrorLog(l *log.Logger) Option {
	return func(c *Client) { c.errorLog = l }
}

// New returns a client that serves its requests with h. It panics if the
// base URL set with [WithBaseURL] is not an absolute http or https URL.
func New(h http.Handler, opts ...Option) *Client {
	if h == nil {
		panic("testclient: nil handler")
	}
	c := &Client{
		rawBaseURL:      DefaultBaseURL,
		header:          make(http.Header),
		followRedirects: true,
		remoteAddr:      DefaultRemoteAddr,
		errorLog:        log.Default(),
	}
	for _, opt := range opts {
		if opt != nil {
			opt(c)
		}
	}
	u, err := url.Parse(c.rawBaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		panic(fmt.Sprintf("testclient: invalid base URL %q: want an absolute http or https URL", c.rawBaseURL))
	}
	c.baseURL = u
	if _, ok := c.header["User-Agent"]; !ok {
		c.header.Set("User-Agent", DefaultUserAgent)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		panic("testclient: creating cookie jar: " + err.Error())
	}
	c.jar = jar
	c.hc = &http.Client{
		Transport: &transport{handler: h, remoteAddr: c.remoteAddr, errorLog: c.errorLog},
		Jar:       jar,
	}
	if !c.followRedirects {
		c.hc.CheckRedirect = func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}
	}
	return c
}

// Remote returns a client for a server on the network at baseURL
// ("http://127.0.0.1:8080"): the same API, cookie jar and WebSocket
// support as an in-process client, over real connections — to drive
// several instances of an app behind their own listeners, or a load
// balancer in front of them. WithRemoteAddr and WithErrorLog do not apply.
func Remote(baseURL string, opts ...Option) *Client {
	c := New(http.NotFoundHandler(), append([]Option{WithBaseURL(baseURL)}, opts...)...)
	c.remote = true
	c.hc.Transport = http.DefaultTransport.(*http.Transport).Clone()
	return c
}

// Jar returns the client's cookie jar, a [net/http/cookiejar.Jar]. Use it
// to inspect or preset cookies for the base URL.
func (c *Client) Jar() http.CookieJar { return c.jar }

// HTTPClient returns the underlying [http.Client]. Its transport serves
// requests in process, so it can be passed to code that expects a client.
// Requests sent through it do not get the default headers or base URL.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// BaseURL returns the URL request paths are resolved against.
func (c *Client) BaseURL() *url.URL {
	u := *c.baseURL
	return &u
}

// Get sends a GET request. See [Client.Do].
func (c *Client) Get(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodGet, path, opts...)
}

// Head sends a HEAD request. The response body is always empty. See
// [Client.Do].
func (c *Client) Head(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodHead, path, opts...)
}

// Post sends a POST request. See [Client.Do].
func (c *Client) Post(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodPost, path, opts...)
}

// Put sends a PUT request. See [Client.Do].
func (c *Client) Put(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodPut, path, opts...)
}

// Patch sends a PATCH request. See [Client.Do].
func (c *Client) Patch(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodPatch, path, opts...)
}

// Delete sends a DELETE request. See [Client.Do].
func (c *Client) Delete(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodDelete, path, opts...)
}

// Options sends an OPTIONS request. See [Client.Do].
func (c *Client) Options(path string, opts ...RequestOption) *Response {
	return c.Do(http.MethodOptions, path, opts...)
}

// Do sends a request with the given method to path, resolved against the
// base URL, and reads the whole response body. It never returns nil;
// failures are reported in [Response.Err].
func (c *Client) Do(method, path string, opts ...RequestOption) *Response {
	return c.DoContext(context.Background(), method, path, opts...)
}

// DoContext is like [Client.Do] with a context. Cancelling ctx cancels the
// handler's request context.
func (c *Client) DoContext(ctx context.Context, method, path string, opts ...RequestOption) *Response {
	req, err := c.newRequest(ctx, method, path, opts)
	if err != nil {
		return &Response{Err: err}
	}
	raw, err := c.hc.Do(req)
	if err != nil {
		return &Response{Err: err}
	}
	body, err := io.ReadAll(raw.Body)
	raw.Body.Close()
	raw.Body = io.NopCloser(bytes.NewReader(body))
	res := &Response{
		Status: raw.StatusCode,
		Header: raw.Header,
		Body:   body,
		Raw:    raw,
	}
	if err != nil {
		res.Status = 0
		res.Err = fmt.Errorf("testclient: reading response body: %w", err)
	}
	return res
}

// Stream sends a request and returns the response as soon as the handler
// has committed its headers, without reading the body. The handler keeps
// running while the caller reads resp.Body, which makes Stream suitable for
// server-sent events and other long responses. The caller must close the
// body; closing it early or cancelling ctx cancels the handler's context.
func (c *Client) Stream(ctx context.Context, method, path string, opts ...RequestOption) (*http.Response, error) {
	req, err := c.newRequest(ctx, method, path, opts)
	if err != nil {
		return nil, err
	}
	return c.hc.Do(req)
}
