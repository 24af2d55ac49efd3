package main

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/nexios-go/nexios/cli"
	"github.com/nexios-go/nexios/config"
	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

// TestMissingTargets: a change of a user or post that does not exist is
// 404 whoever asks (the seed looks it up first), not 403.
func TestMissingTargets(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		ann := e.signUp("ann")
		patch := jsonBody(map[string]any{"is_active": false})
		expect(t, "update a missing user", e.c.Put("/api/v1/users/999999", ann.bearer(), patch), http.StatusNotFound)
		expect(t, "delete a missing user", e.c.Delete("/api/v1/users/999999", ann.bearer()), http.StatusNotFound)
		expect(t, "update a missing post", e.c.Put("/api/v1/posts/999999", ann.bearer(), jsonBody(map[string]any{"title": "Mine"})), http.StatusNotFound)
		expect(t, "delete a missing post", e.c.Delete("/api/v1/posts/999999", ann.bearer()), http.StatusNotFound)
		expect(t, "anonymous, missing user", e.c.Delete("/api/v1/users/999999"), http.StatusUnauthorized)
		expect(t, "ann is untouched", e.c.Get("/api/v1/users/me", ann.bearer()), http.StatusOK)
	})
}

// TestLogout: logging out ends the whole sign-in, refresh token included,
// whether the client shows its access token or only the refresh cookie
// (a browser: the seed's logout reads nothing else).
func TestLogout(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.signUp("ann")
		refused := func(what string, p tokens) {
			t.Helper()
			expect(t, what+": refresh", e.c.Post("/api/v1/auth/refresh", testclient.BearerToken(p.refresh)), http.StatusUnauthorized)
			expect(t, what+": access", e.c.Get("/api/v1/users/me", testclient.BearerToken(p.access)), http.StatusUnauthorized)
		}

		// An API client: the access token, no cookie.
		api := openapitest.Client(t, e.app)
		p := signIn(t, api)
		expect(t, "logout by bearer", api.Post("/api/v1/auth/logout", testclient.BearerToken(p.access)), http.StatusOK)
		refused("after logout by bearer", p)

		// A browser: only the refresh cookie login set.
		browser := openapitest.Client(t, e.app)
		p = signIn(t, browser)
		r := browser.Post("/api/v1/auth/logout")
		expect(t, "logout by cookie", r, http.StatusOK)
		if c := r.Header.Get("Set-Cookie"); !strings.HasPrefix(c, "refresh_token=;") || !strings.Contains(c, "Max-Age=0") {
			t.Errorf("logout does not clear the cookie: %q", c)
		}
		refused("after logout by cookie", p)
		expect(t, "refresh from the cleared cookie", browser.Post("/api/v1/auth/refresh"), http.StatusUnauthorized)
	})
}

type tokens struct{ access, refresh string }

// signIn logs ann in through c, which keeps the refresh cookie.
func signIn(t *testing.T, c *testclient.Client) tokens {
	t.Helper()
	r := c.Post("/api/v1/auth/login", jsonBody(map[string]string{"username": "ann", "password": goodPassword}))
	expect(t, "login", r, http.StatusOK)
	var p struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	mustJSON(t, r, &p)
	return tokens{p.Access, p.Refresh}
}

// TestInternalError: an unexpected failure (a table gone) is the seed's
// 500, in the error shape of every other error, its cause in the body only
// in debug mode.
func TestInternalError(t *testing.T) {
	t.Parallel()
	for _, debug := range []bool{false, true} {
		t.Run(fmt.Sprint("debug=", debug), func(t *testing.T) {
			t.Parallel()
			each(t, func(t *testing.T, e *env) {
				if _, err := e.d.Exec(t.Context(), "DROP TABLE posts"); err != nil {
					t.Fatal(err)
				}
				r := e.c.Get("/api/v1/posts")
				expect(t, "list without its table", r, http.StatusInternalServerError)
				if ct, want := r.Header.Get("Content-Type"), e.c.Get("/api/v1/users/999999").Header.Get("Content-Type"); ct != want {
					t.Errorf("Content-Type %q, a 404's is %q", ct, want)
				}
				got := apiErr(t, r)
				if got.Error != "Internal server error" {
					t.Errorf("error %q", got.Error)
				}
				// The cause names the table; nothing else in the body does.
				if shown := strings.Contains(r.Text(), "posts"); shown != debug || (got.Detail != "") != debug {
					t.Errorf("debug=%v, cause shown=%v: %s", debug, shown, r.Text())
				}
			}, func(c *Config) { c.Debug = debug })
		})
	}
}

// TestDuplicateNames: a taken username or e-mail is 409 naming the field.
func TestDuplicateNames(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		e.signUp("ann")
		for _, tc := range []struct{ username, email, field string }{
			{"ann", "other@example.com", "body.username"},
			{"other", "ann@example.com", "body.email"},
		} {
			r := e.c.Post("/api/v1/users", jsonBody(map[string]string{"username": tc.username, "email": tc.email, "password": goodPassword}))
			expect(t, tc.field, r, http.StatusConflict)
			if f := fields(apiErr(t, r)); f != tc.field {
				t.Errorf("409 names %q, want %q: %s", f, tc.field, r.Text())
			}
		}
	})
}

// TestConfig: main's config.Load call (leading flags, then the
// environment, then defaults) fills Config and leaves the command.
func TestConfig(t *testing.T) {
	t.Parallel()
	defaults := Config{
		Addr: "127.0.0.1:5000", DatabaseURL: "sqlite:blog.db", MailFrom: "Nexios Blog <noreply@localhost>",
		UploadDir: "uploads", RequestRate: 100,
	}
	with := func(f func(*Config)) Config { c := defaults; f(&c); return c }
	for _, tc := range []struct {
		name      string
		args, env []string
		want      Config
		command   string
		problems  string // the keys config.Error names
	}{
		{name: "defaults", want: defaults},
		{
			name: "environment",
			env:  []string{"DATABASE_URL=postgres://db/blog", "REDIS_URL=redis://r:6379/0", "DEBUG=true", "JWT_SECRET=" + testSecret, "REQUEST_RATE=5"},
			want: with(func(c *Config) {
				c.DatabaseURL, c.RedisURL, c.Debug, c.JWTSecret, c.RequestRate = "postgres://db/blog", "redis://r:6379/0", true, testSecret, 5
			}),
		},
		{
			name: "flags over the environment",
			args: []string{"-db", "postgres://flag/blog", "-redis", "redis://flag:6379/1", "-debug", "-addr", ":8080", "-smtp", "smtp://relay:25", "migrate", "status"},
			env:  []string{"DATABASE_URL=postgres://env/blog", "REDIS_URL=redis://env:6379/0"},
			want: with(func(c *Config) {
				c.DatabaseURL, c.RedisURL, c.Debug, c.Addr, c.SMTPURL = "postgres://flag/blog", "redis://flag:6379/1", true, ":8080", "smtp://relay:25"
			}),
			command: "migrate status",
		},
		{name: "invalid", args: []string{"-nope"}, env: []string{"JWT_SECRET=short", "REQUEST_RATE=0"}, problems: "flags,JWT_SECRET,REQUEST_RATE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var cfg Config
			var commands []string
			err := config.Load(&cfg, config.LeadingFlags(tc.args, &commands), config.Environ(tc.env), config.Dir(t.TempDir()))
			var ce *config.Error
			switch {
			case tc.problems != "":
				var keys []string
				if errors.As(err, &ce) {
					for _, p := range ce.Problems {
						keys = append(keys, p.Key)
					}
				}
				if got := strings.Join(keys, ","); got != tc.problems {
					t.Errorf("problems %q, want %q (%v)", got, tc.problems, err)
				}
			case err != nil:
				t.Fatal(err)
			case cfg != tc.want || strings.Join(commands, " ") != tc.command:
				t.Errorf("got %+v %q,\nwant %+v %q", cfg, commands, tc.want, tc.command)
			}
		})
	}
}

// TestJWTSecretWarning: without JWT_SECRET the app runs on a random secret
// and says so; main's `config` command (cli.Config) masks the secrets.
func TestJWTSecretWarning(t *testing.T) {
	t.Parallel()
	for _, secret := range []config.Secret{"", testSecret} {
		var logs bytes.Buffer
		cfg := Config{DatabaseURL: "postgres://app:hunter2@db/blog", JWTSecret: secret, RequestRate: 1, MailFrom: "a@example.com"}
		b, err := build(t.Context(), dbtest.SQLite(t, migrationFS(t)), cfg, slog.New(slog.NewTextHandler(&logs, nil)), wiring{hash: fastHash})
		if err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(logs.String(), `level=WARN msg="JWT_SECRET is not set`)
		if warned != (secret == "") {
			t.Errorf("JWT_SECRET=%q: warned=%v: %s", secret.Reveal(), warned, logs.String())
		}

		var out bytes.Buffer
		cmd := cli.Command(b.app, cli.Config(&cfg))
		cmd.SetArgs([]string{"config"})
		cmd.SetOut(&out)
		if err := cmd.ExecuteContext(t.Context()); err != nil {
			t.Fatal(err)
		}
		if s := out.String(); strings.Contains(s, "hunter2") || (secret != "" && strings.Contains(s, testSecret)) ||
			!strings.Contains(s, "DATABASE_URL=postgres://app:xxxxx@db/blog") {
			t.Errorf("config printed:\n%s", s)
		}
	}
}
