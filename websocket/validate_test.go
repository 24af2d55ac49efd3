package websocket_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-playground/validator/v10"

	cws "github.com/coder/websocket"
	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

type order struct {
	Item string `json:"item" validate:"required,sku"`
	Qty  int    `json:"qty" validate:"gte=1,lte=10"`
}

// validatingApp has the app-level rules the messages must follow: a custom
// rule and a custom message, so that the tests see the app's validator.
func validatingApp(t *testing.T) *nexios.App {
	t.Helper()
	app, logs := newApp()
	t.Cleanup(func() {
		if s := logs.String(); s != "" {
			t.Errorf("invalid client input was logged: %s", s)
		}
	})
	if err := app.Validator().RegisterValidation("sku", func(fl validator.FieldLevel) bool {
		return strings.HasPrefix(fl.Field().String(), "sku-")
	}); err != nil {
		t.Fatal(err)
	}
	app.SetValidationMessage("sku", func(validator.FieldError) string { return "must start with sku-" })
	return app
}

type frame struct {
	Status int                 `json:"status"`
	Detail string              `json:"detail"`
	Errors []nexios.FieldError `json:"errors"`
	Item   string              `json:"item"`
	Qty    int                 `json:"qty"`
}

func receiveFrame(t *testing.T, c client) frame {
	t.Helper()
	_, data := c.receive(t)
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

func TestJSONMessagesAreValidated(t *testing.T) {
	t.Parallel()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			app := validatingApp(t)
			seen := make(chan error, 8)
			websocket.Route(app, "/orders", websocket.Handler(func(ws *websocket.Conn) error {
				for in, err := range websocket.JSONMessages[order](ws) {
					if err != nil {
						seen <- err
						continue // the client got the error frame
					}
					if err := ws.SendJSON(ws.Context(), in); err != nil {
						return err
					}
				}
				return ws.Err()
			}))
			c := tr.open(t, app, "/orders")
			for _, tc := range []struct {
				name, msg string
				status    int
				fields    []string // field:rule
			}{
				{"valid", `{"item":"sku-1","qty":2}`, 0, nil},
				{"two rules broken", `{"qty":0}`, 422, []string{"item:required", "qty:gte"}},
				{"the app's own rule and message", `{"item":"pen","qty":1}`, 422, []string{"item:sku"}},
				{"a value of the wrong type", `{"item":"sku-1","qty":"two"}`, 422, []string{"qty:type"}},
				{"not JSON", `{"item":`, 400, nil},
				{"valid again: the connection was kept", `{"item":"sku-9","qty":10}`, 0, nil},
			} {
				c.send(t, cws.MessageText, []byte(tc.msg))
				f := receiveFrame(t, c)
				if tc.status == 0 {
					if f.Status != 0 || f.Item == "" {
						t.Errorf("%s: got %+v, want the order back", tc.name, f)
					}
					continue
				}
				var err error
				select {
				case err = <-seen: // yielded right after the frame went out
				case <-time.After(5 * time.Second):
					t.Fatalf("%s: the loop yielded no error", tc.name)
				}
				var me *websocket.MessageError
				if !errors.As(err, &me) || !errors.Is(err, websocket.ErrInvalidMessage) {
					t.Errorf("%s: yielded %v", tc.name, err)
				}
				if f.Status != tc.status || f.Detail == "" {
					t.Errorf("%s: frame %+v, want status %d", tc.name, f, tc.status)
				}
				var got []string
				for _, fe := range f.Errors {
					if fe.Location != "body" {
						t.Errorf("%s: location %q", tc.name, fe.Location)
					}
					got = append(got, fe.Field+":"+fe.Rule)
					if fe.Rule == "sku" && fe.Message != "must start with sku-" {
						t.Errorf("%s: message %q", tc.name, fe.Message)
					}
				}
				if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
					t.Errorf("%s: field errors %v, want %v", tc.name, got, tc.fields)
				}
			}
		})
	}
}

func TestReceiveJSONValidatesWithoutReplying(t *testing.T) {
	t.Parallel()
	app := validatingApp(t)
	websocket.Route(app, "/once", websocket.Handler(func(ws *websocket.Conn) error {
		var in order
		err := ws.ReceiveJSON(ws.Context(), &in)
		var ve *nexios.ValidationError
		if !errors.As(err, &ve) || len(ve.Errors) != 1 || ve.Errors[0].Field != "qty" {
			return ws.SendText(ws.Context(), "unexpected: "+errorString(err))
		}
		if err := ws.SendText(ws.Context(), "handler saw the field error first"); err != nil {
			return err
		}
		if err := ws.SendError(ws.Context(), err); err != nil {
			return err
		}
		return err // closes with 1003
	}))
	c := tr("tcp").open(t, app, "/once")
	c.send(t, cws.MessageText, []byte(`{"item":"sku-1","qty":11}`))
	if _, data := c.receive(t); string(data) != "handler saw the field error first" {
		t.Fatalf("got %s", data)
	}
	if f := receiveFrame(t, c); f.Status != 422 || len(f.Errors) != 1 || f.Errors[0].Rule != "lte" {
		t.Errorf("SendError frame %+v", f)
	}
	if code := c.closeStatus(t); code != 1003 {
		t.Errorf("close code %d", code)
	}
}

func TestErrorFrameOption(t *testing.T) {
	t.Parallel()
	app := validatingApp(t)
	custom := websocket.ErrorFrame(func(ws *websocket.Conn, err *websocket.MessageError) any {
		var ve *nexios.ValidationError
		if errors.As(err, &ve) {
			return map[string]any{"type": "invalid", "fields": len(ve.Errors)}
		}
		return nil // nothing for malformed JSON
	})
	websocket.Route(app, "/custom", websocket.Handler(func(ws *websocket.Conn) error {
		for in, err := range websocket.JSONMessages[order](ws) {
			if err == nil {
				_ = ws.SendJSON(ws.Context(), in)
			}
		}
		return ws.Err()
	}, custom))
	websocket.Route(app, "/consumer", websocket.Consumer{
		OnMessage: websocket.OnJSON(func(ws *websocket.Conn, in order) error {
			return ws.SendJSON(ws.Context(), in)
		}),
	}.Handler(custom))
	for _, path := range []string{"/custom", "/consumer"} {
		c := tr("testclient").open(t, app, path)
		c.send(t, cws.MessageText, []byte(`{"qty":99}`))
		if _, data := c.receive(t); string(data) != `{"fields":2,"type":"invalid"}` {
			t.Errorf("%s: custom frame %s", path, data)
		}
		c.send(t, cws.MessageText, []byte(`nope`)) // no frame for this one
		c.send(t, cws.MessageText, []byte(`{"item":"sku-2","qty":3}`))
		if f := receiveFrame(t, c); f.Item != "sku-2" {
			t.Errorf("%s: next reply %+v", path, f)
		}
	}
}

func tr(name string) struct {
	name string
	open func(t *testing.T, app *nexios.App, path string) client
} {
	for _, x := range transports {
		if x.name == name {
			return x
		}
	}
	panic("no transport " + name)
}

func errorString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
