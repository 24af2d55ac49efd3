// Package testclient provides an in-process HTTP client for testing any
// [http.Handler], such as a Nexios App, without opening a network socket.
//
// A [Client] is a thin layer over a regular [*http.Client] whose transport
// serves every request by calling the handler directly. Because the standard
// client is used, cookies are kept in a real cookie jar ([net/http/cookiejar])
// and redirects are followed exactly like in production code.
//
//	c := testclient.New(handler)
//	res := c.Post("/users", testclient.JSON(map[string]string{"name": "ada"}))
//	if res.Err != nil || res.Status != http.StatusCreated {
//		t.Fatalf("POST /users = %d %v: %s", res.Status, res.Err, res.Text())
//	}
//
// The transport streams: the handler runs in its own goroutine and the
// response is returned as soon as the handler commits its headers (by calling
// WriteHeader, Write or Flush, or by returning). [Client.Stream] exposes that
// response so tests can read server-sent events or other long responses
// incrementally. Closing the response body or cancelling the request context
// cancels the handler's request context.
//
// A panic in the handler never crashes the test binary. If the handler has not
// committed a response yet, the client receives a 500 Internal Server Error;
// otherwise reading the body fails. A panic with [http.ErrAbortHandler] aborts
// the response with an error, like net/http's server does.
package testclient
