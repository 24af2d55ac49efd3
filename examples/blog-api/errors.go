package main

import (
	"net/http"

	"github.com/nexios-go/nexios"
)

// apiError is seed 001's error body, for every error the API sends: its
// exception handlers for HTTPException ({"error", "code"}), ValidationError
// ("Validation error" with the details), IntegrityError (409, the fields
// at fault) and Exception (500, the detail in debug mode only), in one
// shape that the OpenAPI document declares once.
type apiError struct {
	Error   string              `json:"error"`
	Code    int                 `json:"code"`
	Details []nexios.FieldError `json:"details,omitempty"`
	Detail  string              `json:"detail,omitempty" doc:"The server error's cause, in debug mode only."`
}

// renderError renders every error response, the framework's own (404,
// 405, 413, 415, malformed JSON, 429) included.
func renderError(debug bool) func(*nexios.Request, *nexios.Response, *nexios.Problem) error {
	return func(_ *nexios.Request, res *nexios.Response, p *nexios.Problem) error {
		e := apiError{Error: p.Detail, Code: p.Status, Details: p.Errors}
		switch {
		case p.Status >= http.StatusInternalServerError:
			e.Error = "Internal server error"
			if debug && p.Err != nil {
				e.Detail = p.Err.Error()
			}
		case p.Status == http.StatusUnprocessableEntity && len(p.Errors) > 0:
			e.Error = "Validation error"
		case e.Error == "":
			e.Error = p.Title
		}
		return res.JSON(e)
	}
}
