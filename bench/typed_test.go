package bench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-playground/validator/v10"

	"github.com/nexios-go/nexios"
)

// signup is the 6-field validated body of the binding benchmark.
type signup struct {
	Username string `json:"username" validate:"required,min=3,max=50"`
	Email    string `json:"email" validate:"required,email"`
	Password string `json:"password" validate:"required,min=8"`
	FullName string `json:"full_name" validate:"required"`
	Age      int    `json:"age" validate:"gte=0,lte=150"`
	Role     string `json:"role" validate:"oneof=admin user guest"`
}

const signupBody = `{"username":"ann","email":"ann@example.com","password":"Secret123","full_name":"Ann Lee","age":30,"role":"user"}`

// typedApp binds and validates with a typed handler.
func typedApp() http.Handler {
	app := nexios.New(nexios.Config{})
	nexios.Post(app, "/users", func(_ *nexios.Request, in *signup) (*signup, error) { return in, nil })
	return app
}

// manualApp decodes with encoding/json and validates with the same
// validator by hand, in a plain (req, res) handler.
func manualApp() http.Handler {
	app := nexios.New(nexios.Config{})
	v := validator.New(validator.WithRequiredStructEnabled())
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		body, err := req.Body()
		if err != nil {
			return err
		}
		var in signup
		if err := json.Unmarshal(body, &in); err != nil {
			return nexios.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		if err := v.Struct(&in); err != nil {
			return nexios.NewHTTPError(http.StatusUnprocessableEntity, err.Error())
		}
		return res.JSON(&in)
	})
	return app
}

func TestBindingApps(t *testing.T) {
	for name, h := range map[string]http.Handler{"typed": typedApp(), "manual": manualApp()} {
		r := httptest.NewRequest("POST", "/users", strings.NewReader(signupBody))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"username":"ann"`) {
			t.Errorf("%s: %d %s", name, w.Code, w.Body)
		}
	}
}

// BenchmarkBinding compares a typed handler with the hand-written
// equivalent; the request is rebuilt each iteration in both.
func BenchmarkBinding(b *testing.B) {
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"typed", typedApp()}, {"manual", manualApp()}} {
		b.Run(bc.name, func(b *testing.B) {
			w := newDiscardWriter()
			body := strings.NewReader(signupBody)
			r := httptest.NewRequest("POST", "/users", body)
			r.Header.Set("Content-Type", "application/json")
			b.ReportAllocs()
			for b.Loop() {
				body.Reset(signupBody)
				r.Body = readCloser{body}
				clear(w.h)
				bc.h.ServeHTTP(w, r)
			}
		})
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
