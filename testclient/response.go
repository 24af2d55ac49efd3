package testclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Response is the fully read result of a request made with [Client.Do] or
// one of its shorthands.
type Response struct {
	// Status is the HTTP status code, or 0 when Err is set.
	Status int
	// Header is the response header as committed by the handler.
	Header http.Header
	// Body is the whole response body (what was read before a failure when
	// Err is set).
	Body []byte
	// Err reports a failure to build, send or read the request or response:
	// an encoding error in a request option, a cancelled context, a handler
	// that aborted or panicked after writing its headers, and so on.
	Err error
	// Raw is the underlying response, or nil if no response was received.
	// Its Body has been read and closed, and replaced by a reader over Body.
	Raw *http.Response
}

// Text returns the body as a string.
func (r *Response) Text() string { return string(r.Body) }

// JSON decodes the body into v with [encoding/json]. It returns r.Err if the
// request failed, and an error if the body is not valid JSON.
func (r *Response) JSON(v any) error {
	if r.Err != nil {
		return r.Err
	}
	if len(r.Body) == 0 {
		return errors.New("testclient: decoding JSON response: empty body")
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("testclient: decoding JSON response: %w", err)
	}
	return nil
}

// Cookies returns the cookies set by the response's Set-Cookie headers.
// After a redirect, only the final response's cookies are returned; the
// client's jar holds all of them.
func (r *Response) Cookies() []*http.Cookie {
	if r.Raw == nil {
		return nil
	}
	return r.Raw.Cookies()
}

// Cookie returns the last cookie named name set by the response, or nil.
func (r *Response) Cookie(name string) *http.Cookie {
	var found *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == name {
			found = c
		}
	}
	return found
}
