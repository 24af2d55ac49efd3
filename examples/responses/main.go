// Command responses is the Go port of §12 of the Nexios API examples
// ("Custom Response Types"): the built-in response writers and a custom
// XML response type.
//
//	go run ./examples/responses
//	curl -si http://127.0.0.1:5000/xml
package main

import (
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"slices"

	"github.com/nexios-go/nexios"
)

// XMLResponse is the seed's XMLResponse(BaseResponse) class. Python
// subclasses a response class and sets media_type; in Go a custom response
// type is any value implementing nexios.Body (MediaType and Encode), sent
// with res.Send. Send encodes into a buffer first, so an encoding error
// still produces a clean 500 instead of a half-written body.
//
// The seed passes a dict to ElementTree.tostring, which cannot serialise
// one; this port does what it evidently meant: one child element per key,
// under a root element.
type XMLResponse struct {
	// Root is the name of the document element; "response" when empty.
	Root string
	// Content holds the child elements, written in sorted key order so the
	// document is deterministic (Go maps have no order).
	Content map[string]string
}

// MediaType implements nexios.Body.
func (x XMLResponse) MediaType() string { return "application/xml" }

// Encode implements nexios.Body: it writes the XML declaration and the
// document. Element names are validated, text is escaped by encoding/xml.
func (x XMLResponse) Encode(w io.Writer) error {
	root := x.Root
	if root == "" {
		root = "response"
	}
	if err := checkName(root); err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: root}}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(x.Content)) {
		if err := checkName(k); err != nil {
			return err
		}
		if err := enc.EncodeElement(x.Content[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	return enc.Close()
}

// checkName accepts simple XML element names: a letter or underscore, then
// letters, digits, '_', '-' or '.'. encoding/xml does not validate names.
func checkName(name string) error {
	for i, c := range name {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && (c == '-' || c == '.' || '0' <= c && c <= '9'):
		default:
			return fmt.Errorf("invalid XML element name %q", name)
		}
	}
	if name == "" {
		return errors.New("empty XML element name")
	}
	return nil
}

// Greeting is marshalled by the built-in res.XML, which uses encoding/xml
// struct tags.
type Greeting struct {
	XMLName xml.Name `xml:"greeting"`
	Message string   `xml:"message"`
}

// created is the answer of POST /created.
type created struct {
	ID int `json:"id"`
}

func newApp() *nexios.App {
	app := nexios.New(nexios.Config{Title: "Responses example"})

	// Python returns a response object (JSONResponse(...)); a Go handler
	// writes through res and returns the error, so a failed write reaches
	// the error handlers.
	app.Get("/json", func(req *nexios.Request, res *nexios.Response) error {
		return res.JSON(map[string]string{"message": "Hello, World!"})
	})

	// The custom response type.
	app.Get("/xml", func(req *nexios.Request, res *nexios.Response) error {
		return res.Send(XMLResponse{Content: map[string]string{"message": "Hello, World!"}})
	})

	// An encoding error: nothing has been sent, so the client gets a 500.
	app.Get("/xml/broken", func(req *nexios.Request, res *nexios.Response) error {
		return res.Send(XMLResponse{Content: map[string]string{"not a name": "x"}})
	})

	// The other built-ins.
	app.Get("/xml/builtin", func(req *nexios.Request, res *nexios.Response) error {
		return res.XML(Greeting{Message: "Hello, World!"})
	})
	app.Get("/text", func(req *nexios.Request, res *nexios.Response) error {
		return res.Text("Hello, World!")
	})
	app.Get("/html", func(req *nexios.Request, res *nexios.Response) error {
		// HTML sends the string as is: escape untrusted data (html/template).
		return res.HTML("<h1>Hello, World!</h1>")
	})
	app.Get("/csv", func(req *nexios.Request, res *nexios.Response) error {
		return res.Bytes("text/csv; charset=utf-8", []byte("id,name\n1,Item 1\n"))
	})
	// A plain handler sets its own status; Returns and Status only tell
	// the OpenAPI document what it answers with.
	app.Post("/created", func(req *nexios.Request, res *nexios.Response) error {
		// Status and SetHeader chain into a body writer.
		return res.Status(http.StatusCreated).
			SetHeader("Location", "/items/3").
			JSON(created{ID: 3})
	}, nexios.Returns[created](http.StatusCreated, "Created: Location names the new item."))
	app.Get("/redirect", func(req *nexios.Request, res *nexios.Response) error {
		return res.Redirect("/json", http.StatusFound)
	}, nexios.Status(http.StatusFound))
	app.Get("/nocontent", func(req *nexios.Request, res *nexios.Response) error {
		return res.NoContent()
	}, nexios.Status(http.StatusNoContent))
	app.Get("/cookie", func(req *nexios.Request, res *nexios.Response) error {
		// Unset attributes get safe defaults: Path=/ and SameSite=Lax (and
		// Secure over TLS).
		if err := res.SetCookie(&http.Cookie{Name: "theme", Value: "dark", HttpOnly: true}); err != nil {
			return err
		}
		return res.NoContent()
	}, nexios.Status(http.StatusNoContent))
	app.Get("/twice", func(req *nexios.Request, res *nexios.Response) error {
		// A response is written once: the second writer returns
		// nexios.ErrResponseCommitted and sends nothing.
		if err := res.Text("first"); err != nil {
			return err
		}
		if err := res.Text("second"); !errors.Is(err, nexios.ErrResponseCommitted) {
			return fmt.Errorf("second write: got %v, want ErrResponseCommitted", err)
		}
		return nil
	})

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
