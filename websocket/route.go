package websocket

import (
	"net/http"

	"github.com/nexios-go/nexios"
)

// routeKey marks the routes registered with Route.
var routeKey = nexios.NewKey[bool]("websocket.route")

// Route registers h for WebSocket connections to path on r (an app or a
// router): a GET route with the same path syntax and converters as HTTP
// routes, whose handler is normally Handler, which performs the upgrade:
//
//	websocket.Route(app, "/ws/chat/{room_id}", websocket.Handler(chat))
//
// The upgrade request goes through the app, router and route middleware
// like any request, so authentication and sessions apply before the
// connection is accepted, and a middleware that returns an error answers
// with a normal HTTP error response. A path that matches no route is a
// plain 404 response.
//
// The route is left out of the OpenAPI document (HTTP operations cannot
// describe it) and reports true from IsRoute, for route listings.
func Route(r nexios.Registrar, path string, h nexios.HandlerFunc, opts ...nexios.RouteOption) *nexios.Route {
	all := make([]nexios.RouteOption, 0, len(opts)+2)
	all = append(all, nexios.ExcludeFromSchema(), routeKey.With(true))
	all = append(all, opts...)
	return r.Route([]string{http.MethodGet}, path, h, all...)
}

// IsRoute reports whether rt was registered with Route.
func IsRoute(rt *nexios.Route) bool {
	b, _ := routeKey.Route(rt)
	return b
}
