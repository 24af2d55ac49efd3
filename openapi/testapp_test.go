package openapi_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
)

// The test app exercises every route option and every kind of input the
// generator understands.

type Role string

func (Role) Enum() []any { return []any{"admin", "user", "guest"} }

// Day is a date that travels as "2006-01-02".
type Day struct{ time.Time }

func (Day) JSONSchemaFormat() string { return "date" }

func (d Day) MarshalJSON() ([]byte, error) { return json.Marshal(d.Format(time.DateOnly)) }

func (d *Day) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, s)
	d.Time = t
	return err
}

type Address struct {
	Street string `json:"street" validate:"required"`
	City   string `json:"city" validate:"required,min=2"`
	Zip    string `json:"zip,omitempty" validate:"omitempty,len=5,numeric"`
}

type User struct {
	ID        int64     `json:"id" doc:"The user's id."`
	Name      string    `json:"name" validate:"required,min=1,max=100"`
	Email     string    `json:"email" validate:"required,email"`
	Role      Role      `json:"role"`
	Address   *Address  `json:"address,omitempty"`
	Tags      []string  `json:"tags" validate:"max=10,dive,min=1,max=20"`
	Website   string    `json:"website,omitempty" validate:"omitempty,url"`
	CreatedAt time.Time `json:"created_at"`
	Birthday  *Day      `json:"birthday,omitempty"`
	Score     float64   `json:"score" validate:"gt=0,lt=10"`
	Nickname  *string   `json:"nickname"`
	Internal  string    `json:"-"`
}

type Page[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

type Pagination struct {
	Page  int `query:"page" default:"1" validate:"gte=1" doc:"Page number, from 1."`
	Limit int `query:"limit" default:"20" validate:"gte=1,lte=100"`
}

type ListUsersInput struct {
	Pagination
	Role      Role     `query:"role" doc:"Only users with this role."`
	Tags      []string `query:"tag"`
	RequestID string   `header:"X-Request-ID" validate:"omitempty,uuid"`
	Session   string   `cookie:"sid"`
	Sort      string   `query:"sort" default:"name" validate:"oneof=name created_at"`
}

type CreateUserInput struct {
	Name     string   `json:"name" validate:"required,min=1,max=100"`
	Email    string   `json:"email" validate:"required,email"`
	Password string   `json:"password" validate:"required,min=8"`
	Role     Role     `json:"role" default:"user"`
	Address  *Address `json:"address"`
	Tags     []string `json:"tags" validate:"omitempty,max=10,unique"`
	Age      int      `json:"age" validate:"gte=0,lte=150"`
}

type UserPath struct {
	ID int64 `path:"id" doc:"The user's id."`
}

type UpdateUserInput struct {
	UserPath
	IfMatch string  `header:"If-Match" validate:"required"`
	Name    *string `json:"name" validate:"omitempty,min=1"`
	Email   *string `json:"email" validate:"omitempty,email"`
}

type LoginForm struct {
	Username string `form:"username" validate:"required"`
	Password string `form:"password" validate:"required"`
	Remember bool   `form:"remember"`
}

type Token struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

type Item struct {
	ID    string  `json:"id" validate:"uuid"`
	Price float64 `json:"price" validate:"min=0"`
}

type SearchInput struct {
	Q     string `json:"q" validate:"required,min=2"`
	Limit int    `json:"limit" default:"10"`
}

type Health struct {
	Status string `json:"status" validate:"oneof=ok degraded"`
}

func isHex(s string) bool {
	return s != "" && strings.Trim(strings.ToLower(s), "0123456789abcdef") == ""
}

func plain(req *nexios.Request, res *nexios.Response) error { return res.Text("ok") }

// newTestApp builds the app and the config its document is generated
// with.
func newTestApp() (*nexios.App, openapi.Config) {
	app := nexios.New(nexios.Config{Title: "Test API", Version: "2.0.0", Description: "Every option."})
	if err := app.RegisterConverter("hex", nexios.Converter{Match: isHex, Type: "string", Format: "hex"}); err != nil {
		panic(err)
	}

	api := nexios.NewRouter("/api", nexios.RouterName("api"), nexios.RouterTags("api"))
	v1 := nexios.NewRouter("/v1", nexios.RouterName("v1"))
	api.Mount(v1)
	app.Mount(api)

	nexios.Get(v1, "/users", func(req *nexios.Request, in *ListUsersInput) (*Page[User], error) {
		return &Page[User]{}, nil
	}, nexios.Summary("List users"), nexios.Tags("users"), nexios.Name("list_users"))
	nexios.Post(v1, "/users", func(req *nexios.Request, in *CreateUserInput) (*User, error) {
		return &User{Name: in.Name}, nil
	}, nexios.Status(http.StatusCreated), nexios.Summary("Create user"), nexios.Tags("users"),
		nexios.Security("bearerAuth", "users:write"), nexios.Returns[struct{}](http.StatusConflict, "Email taken"))
	nexios.Get(v1, "/users/{id:int}", func(req *nexios.Request, in *UserPath) (*User, error) {
		return nil, nexios.NewHTTPError(http.StatusNotFound, "")
	}, nexios.Summary("Get user"), nexios.Name("get_user"), nexios.Returns[struct{}](http.StatusNotFound, "User not found"))
	nexios.Patch(v1, "/users/{id:int}", func(req *nexios.Request, in *UpdateUserInput) (*User, error) {
		return &User{ID: in.ID}, nil
	}, nexios.OperationID("patchUser"), nexios.Deprecated(), nexios.Summary("Update user"),
		nexios.Description("Deprecated: use **PUT**."))
	nexios.Delete(v1, "/users/{id:int}", func(req *nexios.Request, in *UserPath) (*struct{}, error) {
		return nil, nil
	}, nexios.Status(http.StatusNoContent), nexios.Summary("Delete user"), nexios.Security("apiKey"), nexios.Security("session"))

	v1.Get("/items/{item_id:uuid}", plain, nexios.Summary("Get item"),
		nexios.Returns[Item](http.StatusOK, "The item"), nexios.Returns[struct{}](http.StatusNotFound, "No such item"))
	v1.Get("/files/{rest:path}", plain, nexios.Summary("Download file"), nexios.Public())
	v1.Get("/posts/{slug:slug}", plain, nexios.Summary("Get post"), nexios.Public())
	v1.Get("/prices/{amount:float}/{color:hex}/{name}", plain, nexios.Summary("Price"))

	app.Post("/login", plain, nexios.Summary("Log in"), nexios.Input[LoginForm](),
		nexios.Returns[Token](http.StatusOK, "Logged in"), nexios.Public(), nexios.Tags("auth"))
	app.Post("/items/bulk", plain, nexios.Summary("Bulk create"), nexios.RequestBody[[]Item](),
		nexios.Returns[[]Item](http.StatusCreated, "Created"))
	app.Get("/search", plain, nexios.Summary("Search"), nexios.Input[SearchInput](),
		nexios.Returns[Page[Item]](http.StatusOK, "Results"))
	app.Get("/health", plain, nexios.Summary("Health"), nexios.Public(),
		nexios.Returns[Health](http.StatusOK, "Healthy"), nexios.Returns[Health](http.StatusServiceUnavailable, "Unhealthy"))
	app.Route([]string{"GET", "POST"}, "/multi", plain)
	app.Get("/", plain)
	app.Get("/internal", plain, nexios.ExcludeFromSchema())
	app.MountHandler("/static", http.NotFoundHandler())

	cfg := openapi.Config{
		Servers: []openapi.Server{{URL: "https://api.example.com", Description: "Production"}},
		Tags:    []openapi.Tag{{Name: "users", Description: "User accounts"}, {Name: "auth", Description: "Sessions"}},
		SecuritySchemes: map[string]openapi.SecurityScheme{
			"bearerAuth": openapi.BearerJWT(),
			"apiKey":     openapi.APIKeyHeader("X-API-Key"),
			"queryKey":   openapi.APIKeyQuery("api_key"),
			"session":    openapi.CookieAuth("sid"),
			"basic":      openapi.HTTPBasic().WithDescription("For scripts"),
		},
		DefaultSecurity: []map[string][]string{{"bearerAuth": {}}},
	}
	return app, cfg
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
