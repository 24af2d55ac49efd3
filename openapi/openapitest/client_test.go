package openapitest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/openapi"
	"github.com/nexios-go/nexios/openapi/openapitest"
	"github.com/nexios-go/nexios/testclient"
)

// recorder is a TB that keeps the reports instead of failing.
type recorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.msgs, "\n")
}

type Pagination struct {
	Page  int `query:"page" default:"1" validate:"gte=1"`
	Limit int `query:"limit" default:"20" validate:"gte=1,lte=100"`
}

type ListInput struct {
	Pagination
	Q string `query:"q"`
}

type Item struct {
	ID    int     `json:"id"`
	Name  string  `json:"name"`
	Stock int     `json:"stock"`
	Note  *string `json:"note"`
	Tag   string  `json:"tag,omitempty"`
}

type CreateInput struct {
	Name  string `json:"name" validate:"required"`
	Stock int    `json:"stock" validate:"gte=0"`
}

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "Items"})
	nexios.Get(app, "/items", func(_ *nexios.Request, in *ListInput) (*[]Item, error) {
		return &[]Item{{ID: in.Page, Name: "a"}}, nil
	}, nexios.Summary("List items"))
	nexios.Post(app, "/items", func(_ *nexios.Request, in *CreateInput) (*Item, error) {
		return &Item{ID: 1, Name: in.Name, Stock: in.Stock}, nil
	}, nexios.Status(http.StatusCreated), nexios.Summary("Create an item"))
	// A plain handler documented with the same input that reports its
	// own field errors, the way the binder did before embedded fields
	// were located (issue 17, item 1).
	app.Get("/legacy", func(req *nexios.Request, res *nexios.Response) error {
		return &nexios.HTTPError{Status: http.StatusUnprocessableEntity, Detail: "bad",
			Errors: []nexios.FieldError{{Location: "body", Field: "Pagination.page", Message: "must be at least 1", Rule: "gte", Param: "1"}}}
	}, nexios.Summary("Legacy"), nexios.Input[ListInput](), nexios.Returns[[]Item](http.StatusOK, "Items"))
	// A plain handler that takes whatever it is sent.
	app.Post("/lenient", func(req *nexios.Request, res *nexios.Response) error {
		return res.Status(http.StatusCreated).JSON(Item{ID: 1, Name: "x"})
	}, nexios.Summary("Lenient"), nexios.Input[CreateInput](), nexios.Returns[Item](http.StatusCreated, "Created"))
	if err := openapi.Register(app, openapi.Config{}); err != nil {
		panic(err)
	}
	return app
}

// A correct app passes: valid and invalid requests alike.
func TestClientQuietOnAgreement(t *testing.T) {
	t.Parallel()
	app := newApp()
	openapitest.Check(t, app)
	rec := &recorder{}
	c := openapitest.Client(rec, app)
	for _, r := range []*testclient.Response{
		c.Get("/items"), c.Get("/items?page=2&limit=5"), c.Get("/items?page=0"), c.Get("/items?page=x"),
		c.Post("/items", testclient.JSON(map[string]any{"name": "a", "stock": 3})),
		c.Post("/items", testclient.JSON(map[string]any{"name": ""})),
		c.Post("/items", testclient.JSON(map[string]any{"name": nil})),
		c.Post("/items", testclient.JSON(map[string]any{"name": "a", "stock": nil})),
		c.Post("/items", testclient.JSON(map[string]any{"stock": -1})),
		c.Get("/openapi.json"), c.Get("/nowhere"),
	} {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if got := rec.text(); got != "" {
		t.Errorf("reports on an app that agrees with its document:\n%s", got)
	}
}

// Item 1 of issue 17: a field error that names no documented input.
func TestClientCatchesMisplacedFieldErrors(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	openapitest.Client(rec, newApp()).Get("/legacy")
	if got := rec.text(); !strings.Contains(got, `the field error {location: "body", field: "Pagination.page"} names no documented input`) {
		t.Errorf("reports: %s", got)
	}
}

// mutate returns app's document changed by fn, to stand for what the
// generator wrote before a fix.
func mutate(t *testing.T, app *nexios.App, fn func(schemas map[string]any)) []byte {
	t.Helper()
	b, err := openapi.Build(app, openapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	fn(doc["components"].(map[string]any)["schemas"].(map[string]any))
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Item 3: output schemas without required. The response sends stock: 0
// (a field without omitempty), which the old schema calls optional.
func TestClientCatchesMissingRequired(t *testing.T) {
	t.Parallel()
	app := newApp()
	old := mutate(t, app, func(s map[string]any) { delete(s["Item"].(map[string]any), "required") })
	rec := &recorder{}
	openapitest.ClientFor(rec, app, old).Post("/items", testclient.JSON(map[string]any{"name": "a"}))
	if got := rec.text(); !strings.Contains(got, "the response property stock is sent with its zero value (0) but is not required") {
		t.Errorf("reports: %s", got)
	}
	// The fixed document requires it; nothing to report.
	rec = &recorder{}
	openapitest.Client(rec, app).Post("/items", testclient.JSON(map[string]any{"name": "a"}))
	if got := rec.text(); got != "" {
		t.Errorf("reports: %s", got)
	}
}

// Item 4: required translated without minLength, and a server that
// takes null where the schema forbids it.
func TestClientCatchesRequiredMismatch(t *testing.T) {
	t.Parallel()
	app := newApp()
	old := mutate(t, app, func(s map[string]any) {
		name := s["CreateInput"].(map[string]any)["properties"].(map[string]any)["name"].(map[string]any)
		delete(name, "minLength")
	})
	rec := &recorder{}
	openapitest.ClientFor(rec, app, old).Post("/items", testclient.JSON(map[string]any{"name": ""}))
	if got := rec.text(); !strings.Contains(got, "the document accepts this request, but the server rejected it as invalid (422)") {
		t.Errorf("empty required string: %s", got)
	}
	rec = &recorder{}
	openapitest.Client(rec, app).Post("/lenient", testclient.JSON(map[string]any{"name": "a", "stock": nil}))
	if got := rec.text(); !strings.Contains(got, "the server accepted (201) a request the document forbids") {
		t.Errorf("null accepted: %s", got)
	}
}

// A response that breaks its schema is reported.
func TestClientCatchesBadResponses(t *testing.T) {
	t.Parallel()
	app := newApp()
	old := mutate(t, app, func(s map[string]any) {
		s["Item"].(map[string]any)["properties"].(map[string]any)["name"] = map[string]any{"type": "integer"}
	})
	rec := &recorder{}
	openapitest.ClientFor(rec, app, old).Post("/items", testclient.JSON(map[string]any{"name": "a"}))
	if got := rec.text(); !strings.Contains(got, "the response (201 application/json) breaks the document") {
		t.Errorf("reports: %s", got)
	}
}
