// Command validation is the Go port of §9 of the Nexios API examples
// ("Advanced Validation (Pydantic, Enums, Query Params)"): a typed JSON
// body with length, email, enum and date fields and defaults, and
// validated pagination parameters — both documented at /docs.
//
//	go run ./examples/validation
//	curl -s -X POST http://127.0.0.1:5000/users -H 'Content-Type: application/json' \
//	  -d '{"username":"ada","email":"ada@example.com","password":"s3cret-pass","full_name":"Ada Lovelace","birth_date":"1815-12-10"}'
//	curl -s 'http://127.0.0.1:5000/users?page=2&limit=5'
//	curl -s 'http://127.0.0.1:5000/users?limit=500'   # 422 {"error":"Invalid query parameters",…}
//	open http://127.0.0.1:5000/docs                    # Swagger UI
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/bind"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/docsui"
)

// UserRole plays the part of the seed's UserRole(str, Enum). A named
// type with an Enum method is checked by Bind (rule "enum") and listed
// as an enum in the OpenAPI schema.
type UserRole string

// The user roles.
const (
	RoleAdmin UserRole = "admin"
	RoleUser  UserRole = "user"
	RoleGuest UserRole = "guest"
)

// Enum lists the valid roles.
func (UserRole) Enum() []any { return []any{RoleAdmin, RoleUser, RoleGuest} }

// UserStatus plays the part of the seed's UserStatus enum.
type UserStatus string

// The account statuses.
const (
	StatusActive    UserStatus = "active"
	StatusInactive  UserStatus = "inactive"
	StatusSuspended UserStatus = "suspended"
)

// Enum lists the valid statuses.
func (UserStatus) Enum() []any { return []any{StatusActive, StatusInactive, StatusSuspended} }

// UserCreate is the seed's pydantic model. The `validate` tags replace
// pydantic's constr(min_length=3, max_length=50), EmailStr and
// constr(min_length=8); `default` tags fill role and status when the
// client leaves them out (an explicit value is checked against the enum);
// `doc` tags describe the fields in the OpenAPI document.
type UserCreate struct {
	Username  string     `json:"username" validate:"required,min=3,max=50" doc:"3 to 50 characters."`
	Email     string     `json:"email" validate:"required,email"`
	Password  string     `json:"password" validate:"required,min=8" doc:"At least 8 characters. Never echoed back."`
	FullName  string     `json:"full_name" validate:"required"`
	BirthDate *bind.Date `json:"birth_date,omitempty" doc:"Optional, as YYYY-MM-DD."`
	Role      UserRole   `json:"role" default:"user"`
	Status    UserStatus `json:"status" default:"active"`
}

// User is what POST /users answers: the validated user with its defaults
// applied. Unlike the seed, which returns user.dict(), it leaves the
// password out.
type User struct {
	Username  string     `json:"username"`
	Email     string     `json:"email"`
	FullName  string     `json:"full_name"`
	BirthDate *bind.Date `json:"birth_date,omitempty"`
	Role      UserRole   `json:"role"`
	Status    UserStatus `json:"status"`
}

// PaginationParams is the seed's PaginationParams, read from the query
// string.
type PaginationParams struct {
	Page   int    `query:"page" default:"1" validate:"gte=1" doc:"Page number, from 1."`
	Limit  int    `query:"limit" default:"10" validate:"gte=1,lte=100" doc:"Users per page, 1 to 100."`
	SortBy string `query:"sort_by" default:"created_at"`
	Order  string `query:"order" default:"desc"`
}

// UserSummary is one listed user.
type UserSummary struct {
	ID       int    `json:"id"`
	Username string `json:"username"`
}

// UserPage is a page of users.
type UserPage struct {
	Items []UserSummary `json:"items"`
	Total int           `json:"total"`
	Page  int           `json:"page"`
	Limit int           `json:"limit"`
}

// QueryError is the seed's own 422 body for bad query parameters.
type QueryError struct {
	Error   string              `json:"error" example:"Invalid query parameters"`
	Details []nexios.FieldError `json:"details"`
}

// createUser only runs with valid input: nexios.Post binds and validates
// the body into a UserCreate first and answers 422 (RFC 9457
// problem+json listing every failing field) otherwise.
func createUser(req *nexios.Request, in *UserCreate) (*User, error) {
	return &User{
		Username:  in.Username,
		Email:     in.Email,
		FullName:  in.FullName,
		BirthDate: in.BirthDate,
		Role:      in.Role,
		Status:    in.Status,
	}, nil
}

// listUsers keeps the seed's own error body. It is a plain handler that
// binds the query itself and turns a *nexios.ValidationError into
// {"error": "Invalid query parameters", "details": [...]}; any other
// error goes to the app's error handlers as usual. (A typed handler
// wrapped in route middleware that converts the error works too; an
// app-wide nexios.HandleError would change every route's 422.)
func listUsers(req *nexios.Request, res *nexios.Response) error {
	var p PaginationParams
	if err := req.Bind(&p); err != nil {
		var ve *nexios.ValidationError
		if errors.As(err, &ve) {
			return res.Status(http.StatusUnprocessableEntity).JSON(QueryError{Error: "Invalid query parameters", Details: ve.Errors})
		}
		return err
	}
	users := make([]UserSummary, 5)
	for i := range users {
		users[i] = UserSummary{ID: i + 1, Username: fmt.Sprintf("user%d", i+1)}
	}
	return res.JSON(UserPage{Items: users, Total: len(users), Page: p.Page, Limit: p.Limit})
}

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{
		Title:       "Validation example",
		Version:     "1.0.0",
		Description: "Port of §9 of the Nexios API examples: validated bodies, enums and query parameters.",
	})

	nexios.Post(app, "/users", createUser,
		nexios.Summary("Create a user"),
		nexios.Description("Validates the user and answers it with the defaults applied (role `user`, status `active`)."),
		nexios.Tags("users"))

	app.Get("/users", listUsers,
		nexios.Summary("List users"),
		nexios.Tags("users"),
		nexios.Input[PaginationParams](),
		nexios.Returns[UserPage](http.StatusOK, "A page of users"),
		nexios.Returns[QueryError](http.StatusUnprocessableEntity, "Invalid query parameters"))

	if err := openapi.Register(app, openapi.Config{
		Tags: []openapi.Tag{{Name: "users", Description: "User accounts"}},
		UI:   []openapi.UI{docsui.SwaggerUI(""), docsui.ReDoc("")}, // /docs and /redoc
	}); err != nil {
		panic(err) // a configuration error: found at start-up
	}
	return app
}

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "address to listen on")
	flag.Parse()
	if err := newApp().Run(*addr); err != nil {
		slog.Error("server stopped", "error", err)
		os.Exit(1)
	}
}
