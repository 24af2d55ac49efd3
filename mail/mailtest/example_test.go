package mailtest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/mail"
	"github.com/nexios-go/nexios/mail/mailtest"
	"github.com/nexios-go/nexios/testclient"
)

// newApp is an app that sends a welcome mail after a sign-up, here from
// a goroutine as a background task would.
func newApp(sender mail.Sender) *nexios.App {
	app := nexios.New(nexios.Config{})
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		var in struct {
			Email string `json:"email"`
		}
		if err := req.Bind(&in); err != nil {
			return err
		}
		go func() {
			_ = sender.Send(context.Background(), &mail.Message{To: []string{in.Email}, Subject: "Welcome!", Text: "Please confirm."})
		}()
		res.Status(201)
		return res.JSON(map[string]string{"email": in.Email})
	})
	return app
}

// exampleT stands for the *testing.T of a real test: a failed assertion
// prints, which makes the example's output differ.
type exampleT struct{ testing.TB }

func (exampleT) Helper()                           {}
func (exampleT) Fatalf(format string, args ...any) { fmt.Printf("FAIL: "+format+"\n", args...) }

func Example() {
	var t testing.TB = exampleT{} // in a test: the test's t
	out := mailtest.New(t)
	testclient.New(newApp(out)).Post("/users", testclient.JSON(map[string]string{"email": "ada@example.com"}))

	m := mailtest.WaitOne(t, out, 2*time.Second, mailtest.To("ada@example.com"), mailtest.Subject("Welcome!"))
	mailtest.Contains(t, m, "confirm")
	fmt.Println(m.Message.Subject, m.Envelope.Recipients)
	// Output: Welcome! [ada@example.com]
}
