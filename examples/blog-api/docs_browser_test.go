package main

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db/dbtest"
	"github.com/nexios-go/nexios/internal/browsertest"
)

// TestDocsAuthorize drives the Swagger UI at /docs in headless Chromium
// as a newcomer would: sign up and sign in through the UI's own "Try it
// out", paste the access token into the Authorize dialog, and call
// GET /api/v1/users/me from the page.
func TestDocsAuthorize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t, migrationFS(t)))
	u := e.signUp("ada")
	srv := httptest.NewServer(e.app)
	defer srv.Close()

	p := browsertest.Open(t)
	p.Navigate(srv.URL + "/docs")
	p.WaitFor(`document.querySelector(".swagger-ui .btn.authorize")`, 30*time.Second)

	// Authorize: the bearer token into the dialog's input (React reads
	// the value through its native setter and an input event).
	p.Run(`document.querySelector(".swagger-ui .btn.authorize").click()`)
	p.WaitFor(`document.querySelector(".modal-ux input")`, 10*time.Second)
	p.Run(`(() => {
		const input = document.querySelector(".modal-ux input");
		const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
		set.call(input, ` + strconv.Quote(u.Access) + `);
		input.dispatchEvent(new Event("input", { bubbles: true }));
		document.querySelector(".modal-ux .auth-btn-wrapper .btn.authorize").click();
	})()`)
	p.WaitFor(`document.querySelector(".modal-ux .btn-done")`, 10*time.Second)
	p.Run(`document.querySelector(".modal-ux .btn-done").click()`)

	// GET /api/v1/users/me: open it, Try it out, Execute.
	const op = `[...document.querySelectorAll(".opblock.opblock-get")].find(e => e.querySelector(".opblock-summary-path")?.textContent.trim() === "/api/v1/users/me")`
	p.WaitFor(op, 10*time.Second)
	p.Run(`(() => { const b = ` + op + `; (b.querySelector(".opblock-summary-control") || b.querySelector(".opblock-summary")).click(); })()`)
	p.WaitFor(`document.querySelector(".opblock.is-open .try-out__btn")`, 10*time.Second)
	p.Run(`document.querySelector(".opblock.is-open .try-out__btn").click()`)
	p.WaitFor(`document.querySelector(".opblock.is-open .execute")`, 10*time.Second)
	p.Run(`document.querySelector(".opblock.is-open .execute").click()`)
	p.WaitFor(`document.querySelector(".opblock.is-open .live-responses-table tbody .response-col_status")`, 20*time.Second)

	var status, body string
	if err := p.Eval(`document.querySelector(".opblock.is-open .live-responses-table tbody .response-col_status").textContent.trim()`, &status); err != nil {
		t.Fatal(err)
	}
	if err := p.Eval(`document.querySelector(".opblock.is-open .live-responses-table tbody .response-col_description").textContent`, &body); err != nil {
		t.Fatal(err)
	}
	if status != "200" || !strings.Contains(body, `"username": "ada"`) {
		t.Fatalf("GET /users/me from the docs: %q %q", status, body)
	}
}
