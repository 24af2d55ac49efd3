package nexios

import "net/http"

// webSocketKey marks, in a route's metadata, the routes registered with
// Router.WebSocket.
type webSocketKey struct{}

// WebSocket registers h for WebSocket connections to path: a GET route,
// with the same path syntax and converters as HTTP routes, whose handler
// is normally websocket.Handler from package
// github.com/nexios-go/nexios/websocket, which performs the upgrade:
//
//	app.WebSocket("/ws/chat/{room_id}", websocket.Handler(chat))
//
// The upgrade request goes through the app, router and route middleware
// like any request, so authentication and sessions apply before the
// connection is accepted, and a middleware that returns an error answers
// with a normal HTTP error response. A path that matches no route is a
// plain 404 response.
//
// The route is left out of the OpenAPI document (HTTP operations cannot
// describe it) and reports true from Route.IsWebSocket, for route listings.
func (r *Router) WebSocket(path string, h HandlerFunc, opts ...RouteOption) *Route {
	all := make([]RouteOption, 0, len(opts)+2)
	all = append(all, ExcludeFromSchema(), WithMeta(webSocketKey{}, true))
	all = append(all, opts...)
	return r.Route([]string{http.MethodGet}, path, h, all...)
}

// IsWebSocket reports whether the route was registered with
// Router.WebSocket.
func (r *Route) IsWebSocket() bool {
	b, _ := r.Meta(webSocketKey{}).(bool)
	return b
}
