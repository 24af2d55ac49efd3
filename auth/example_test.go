package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

// JWT bearer authentication with scopes: 401 without a token, 403 without
// the scope.
func Example() {
	secret := []byte("a secret of at least thirty-two bytes")
	tokens, err := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	if err != nil {
		panic(err)
	}
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(auth.Middleware(&auth.JWTBackend{JWT: tokens})))
	app.Get("/me", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"user": req.User().DisplayName()})
	}, auth.Required())
	app.Delete("/users/{id}", func(req *nexios.Request, res *nexios.Response) error {
		return res.NoContent()
	}, auth.Required("admin"))

	c := testclient.New(app)
	r := c.Get("/me")
	fmt.Println(r.Status, r.Header.Get("WWW-Authenticate"))

	token, _ := tokens.CreateAccessToken("42", map[string]any{"username": "ada", "scope": "read"})
	fmt.Print(c.Get("/me", testclient.BearerToken(token)).Text())
	fmt.Println(c.Delete("/users/7", testclient.BearerToken(token)).Status)
	// Output:
	// 401 Bearer realm="api"
	// {"user":"ada"}
	// 403
}

// Nexios' create_jwt: one call for the simple case.
func ExampleCreateJWT() {
	secret := []byte("a secret of at least thirty-two bytes")
	token, err := auth.CreateJWT(secret, map[string]any{"sub": "admin"}, time.Hour)
	if err != nil {
		panic(err)
	}
	verifier, _ := auth.NewJWT(auth.JWTConfig{Keys: []auth.Key{auth.HS256Key(secret)}})
	claims, err := verifier.VerifyAccessToken(context.Background(), token)
	fmt.Println(claims.Subject, err)
	// Output: admin <nil>
}

// Seed 001's refresh flow, hardened: every refresh rotates the refresh
// token, and presenting a used one revokes its whole family, the tokens
// issued in its place included.
func ExampleJWT_Refresh() {
	tokens, _ := auth.NewJWT(auth.JWTConfig{
		Keys:       []auth.Key{auth.HS256Key([]byte("a secret of at least thirty-two bytes"))},
		AccessTTL:  30 * time.Minute,
		RefreshTTL: 7 * 24 * time.Hour,
	})
	ctx := context.Background()
	pair, _ := tokens.CreateTokenPair("42", nil)

	next, _ := tokens.Refresh(ctx, pair.RefreshToken)
	fmt.Println("rotated:", next.RefreshToken != "")

	// The old token again: a replay (stolen, or a lost response).
	_, err := tokens.Refresh(ctx, pair.RefreshToken)
	fmt.Println("old token:", err, errors.Is(err, auth.ErrRefreshTokenReused))
	_, err = tokens.Refresh(ctx, next.RefreshToken)
	fmt.Println("its successor:", err)
	_, err = tokens.VerifyAccessToken(ctx, next.AccessToken)
	fmt.Println("the family's access token:", err)
	// Output:
	// rotated: true
	// old token: token revoked true
	// its successor: token revoked
	// the family's access token: token revoked
}

// A login reserves its attempt before the password is checked, so
// concurrent guesses cannot slip past the limit.
func ExampleLoginThrottle() {
	throttle, _ := auth.NewLoginThrottle(auth.ThrottleConfig{MaxFailures: 2})
	ctx := context.Background()
	login := func(password string) error {
		att, err := throttle.Reserve(ctx, "ada", "192.0.2.7")
		if err != nil {
			return err // 429 with Retry-After
		}
		if password != "right" { // a Hasher.Verify in real code
			_ = att.Failed(ctx)
			return errors.New("invalid credentials")
		}
		return att.Succeeded(ctx)
	}
	fmt.Println(login("right"))
	fmt.Println(login("guess"))
	fmt.Println(login("guess"))
	fmt.Println(login("right"))
	// Output:
	// <nil>
	// invalid credentials
	// invalid credentials
	// HTTP 429: Too many failed login attempts; try again later: auth: too many failed logins
}

// A Hasher bounds how many password hashes run at once; beyond its queue,
// callers get 503 with Retry-After instead of exhausting memory.
func ExampleHasher() {
	hasher, _ := auth.NewHasher(auth.HasherConfig{MaxQueue: 16, MaxWait: 2 * time.Second})
	ctx := context.Background()
	hash, _ := hasher.Hash(ctx, "correct horse battery staple")
	ok, err := hasher.Verify(ctx, "correct horse battery staple", hash)
	fmt.Println(ok, err)
	unknown, _ := hasher.Verify(ctx, "a guess", hasher.DummyHash()) // for a name that does not exist
	fmt.Println(unknown)
	// Output:
	// true <nil>
	// false
}

func ExampleHashPassword() {
	hash, err := auth.HashPassword("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	ok, _ := auth.VerifyPassword("correct horse battery staple", hash)
	wrong, _ := auth.VerifyPassword("Tr0ub4dor&3", hash)
	fmt.Println(hash[:31], ok, wrong)
	// Output: $argon2id$v=19$m=19456,t=2,p=1$ true false
}

// Seed 000 §4's custom backend: any credential scheme as a function.
func ExampleBackendFunc() {
	backend := auth.BackendFunc(func(req *nexios.Request) (nexios.User, error) {
		if req.Header("X-Auth") != "let-me-in" {
			return nil, nil // no credential: anonymous
		}
		return auth.SimpleUser{ID: "123456789", Permissions: []string{"read"}}, nil
	})
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	app.Use(nexios.Must(auth.Middleware(backend)))
	app.Get("/whoami", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"user_id": req.User().Identity()})
	}, auth.Required("read"))

	c := testclient.New(app)
	fmt.Print(c.Get("/whoami", testclient.Header("X-Auth", "let-me-in")).Text())
	fmt.Println(c.Get("/whoami").Status)
	// Output:
	// {"user_id":"123456789"}
	// 401
}

// A password-strength rule in validate tags.
func ExampleRegisterPasswordRule() {
	app := nexios.New(nexios.Config{Logger: slog.New(slog.DiscardHandler)})
	if err := auth.RegisterPasswordRule(app, "password", auth.DefaultPasswordPolicy()); err != nil {
		panic(err)
	}
	type Signup struct {
		Password string `json:"password" validate:"required,password"`
	}
	app.Post("/signup", func(req *nexios.Request, res *nexios.Response) error {
		var in Signup
		if err := req.Bind(&in); err != nil {
			return err
		}
		return res.Status(http.StatusCreated).JSON(map[string]bool{"ok": true})
	})
	r := testclient.New(app).Post("/signup", testclient.JSON(map[string]string{"password": "password"}))
	var problem struct {
		Errors []struct{ Field, Message string }
	}
	_ = r.JSON(&problem)
	fmt.Println(r.Status, problem.Errors[0].Field+":", problem.Errors[0].Message)
	// Output:
	// 422 password: must contain an uppercase letter; must contain a digit
}
