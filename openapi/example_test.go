package openapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
)

func Example() {
	type CreateUser struct {
		Name  string `json:"name" validate:"required,min=3" doc:"Display name."`
		Email string `json:"email" validate:"required,email"`
	}
	type User struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	}

	app := nexios.New(nexios.Config{Title: "Users API", Version: "1.0.0"})
	nexios.Post(app, "/users", func(req *nexios.Request, in *CreateUser) (*User, error) {
		return &User{ID: 1, Name: in.Name}, nil
	}, nexios.Status(http.StatusCreated), nexios.Summary("Create a user"), nexios.Tags("users"))

	// Serves /openapi.json, /openapi.yaml and /openapi-3.0.json; add
	// docsui.SwaggerUI("") and docsui.ReDoc("") to Config.UI for pages.
	if err := openapi.Register(app, openapi.Config{}); err != nil {
		log.Fatal(err)
	}

	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	var doc struct {
		Paths map[string]map[string]struct {
			Summary     string
			OperationID string
			RequestBody struct {
				Content map[string]struct{ Schema any }
			}
			Responses map[string]any
		}
		Components struct{ Schemas map[string]json.RawMessage }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		log.Fatal(err)
	}
	op := doc.Paths["/users"]["post"]
	fmt.Printf("POST /users: %s (%s)\n", op.Summary, op.OperationID)
	fmt.Println("body:", op.RequestBody.Content["application/json"].Schema)
	var statuses []string
	for s := range op.Responses {
		statuses = append(statuses, s)
	}
	slices.Sort(statuses)
	fmt.Println("responses:", statuses)
	var schema bytes.Buffer
	_ = json.Compact(&schema, doc.Components.Schemas["CreateUser"])
	fmt.Println("CreateUser:", schema.String())
	// Output:
	// POST /users: Create a user (post_users)
	// body: map[$ref:#/components/schemas/CreateUser]
	// responses: [201 422 default]
	// CreateUser: {"properties":{"email":{"format":"email","minLength":1,"type":"string"},"name":{"description":"Display name.","minLength":3,"type":"string"}},"required":["name","email"],"type":"object"}
}

// CheckBindings binds crafted requests to prove that the document says
// what binding does; a rule the schema cannot show is reported.
func ExampleCheckBindings() {
	type Search struct {
		Q    string `query:"q" validate:"required"`
		Page int    `query:"page" default:"1" validate:"gte=1"`
	}
	app := nexios.New(nexios.Config{})
	nexios.Get(app, "/search", func(_ *nexios.Request, in *Search) (*[]string, error) { return &[]string{in.Q}, nil })
	fmt.Println(openapi.CheckBindings(app))
	// Output: <nil>
}

// Downgrade rewrites a 3.1 document for tools that read only 3.0.
func ExampleDowngrade() {
	doc := []byte(`{"openapi":"3.1.0","info":{"title":"T","version":"1"},"paths":{},
		"components":{"schemas":{"Nick":{"type":["null","string"],"const":"x"}}}}`)
	out, err := openapi.Downgrade(doc)
	if err != nil {
		log.Fatal(err)
	}
	var v struct {
		OpenAPI    string
		Components struct{ Schemas map[string]any }
	}
	_ = json.Unmarshal(out, &v)
	fmt.Println(v.OpenAPI, v.Components.Schemas["Nick"])
	// Output: 3.0.3 map[enum:[x] nullable:true type:string]
}
