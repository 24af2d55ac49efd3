package websocket_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/session"
	"github.com/nexios-go/nexios/testclient"
	"github.com/nexios-go/nexios/websocket"
)

// TestAuthAndSessions runs the real session and authentication middleware
// on upgrade requests: a route option rejects anonymous clients with a 401
// handshake, and the connection sees the user and the session.
func TestAuthAndSessions(t *testing.T) {
	t.Parallel()
	jwt, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key([]byte("0123456789abcdef0123456789abcdef"))}})
	if err != nil {
		t.Fatal(err)
	}
	store := session.NewMemoryStore(session.MemoryConfig{})
	defer store.Close()
	app, _ := newApp()
	app.Use(nexios.Must(session.New(session.Config{Store: store})))
	app.Use(nexios.Must(auth.Middleware(&auth.JWTBackend{JWT: jwt})))
	app.Post("/login", func(req *nexios.Request, res *nexios.Response) error {
		session.From(req).Set("theme", "dark")
		return res.NoContent()
	})
	websocket.Route(app, "/ws/me", websocket.Handler(func(ws *websocket.Conn) error {
		theme, _ := session.From(ws.Request()).Get("theme")
		return ws.SendJSON(ws.Context(), map[string]any{
			"user": ws.User().Identity(), "authenticated": ws.User().IsAuthenticated(), "theme": theme,
		})
	}), auth.Required())

	c := testclient.New(app)
	if r := c.Post("/login"); r.Status != http.StatusNoContent {
		t.Fatalf("login: %d %s", r.Status, r.Text())
	}
	_, err = c.WebSocket(context.Background(), "/ws/me")
	var he *testclient.WSHandshakeError
	if !errors.As(err, &he) || he.Status != http.StatusUnauthorized || he.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous: %v, want a 401 challenge", err)
	}
	token, err := jwt.CreateAccessToken("ada", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := c.WebSocket(context.Background(), "/ws/me", testclient.BearerToken(token))
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var got map[string]any
	if err := ws.ReceiveJSON(&got); err != nil {
		t.Fatal(err)
	}
	if got["user"] != "ada" || got["authenticated"] != true || got["theme"] != "dark" {
		t.Errorf("the connection saw %v", got)
	}
}
