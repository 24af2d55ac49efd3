package bind

import (
	"fmt"
	"net/http"
	"strings"
)

// Locations of a field in a request.
const (
	InPath   = "path"
	InQuery  = "query"
	InHeader = "header"
	InCookie = "cookie"
	InForm   = "form"
	InBody   = "body"
)

// FieldError describes one invalid input field.
type FieldError struct {
	// Location is where the field came from: "body", "query", "path",
	// "header", "cookie" or "form".
	Location string `json:"location" enum:"body,query,path,header,cookie,form" doc:"Where the field came from."`
	// Field is the path of the field with wire names: addresses[0].city.
	Field string `json:"field" doc:"The field's path with wire names, such as addresses[0].city; empty for an error about the whole input." example:"email"`
	// Message is a human-readable explanation.
	Message string `json:"message" doc:"A human-readable explanation." example:"must be a valid email address"`
	// Rule is the failed rule ("required", "min", "email", "type", "enum"…).
	Rule string `json:"rule" doc:"The failed rule: required, min, email, type, enum, …" example:"email"`
	// Param is the rule's parameter, such as "8" for min=8.
	Param string `json:"param,omitempty" doc:"The rule's parameter, such as 8 for min=8."`
}

// ValidationError lists every invalid field of a request. It renders as
// 422 Unprocessable Entity.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Field + ": " + f.Message
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Detail is a one-line summary.
func (e *ValidationError) Detail() string {
	if len(e.Errors) == 1 {
		if e.Errors[0].Field == "" {
			return "validation failed: " + e.Errors[0].Message
		}
		return "validation failed for field " + e.Errors[0].Field
	}
	return fmt.Sprintf("validation failed for %d fields", len(e.Errors))
}

// StatusCode returns 422.
func (e *ValidationError) StatusCode() int { return http.StatusUnprocessableEntity }

// RequestError is input that cannot be read at all: a body that is not JSON
// (400), an unsupported content type (415), a body over its limit (413).
type RequestError struct {
	Status int
	Msg    string
	Err    error
}

func (e *RequestError) Error() string { return e.Msg }

// StatusCode returns the error's status.
func (e *RequestError) StatusCode() int { return e.Status }

// Unwrap returns the cause.
func (e *RequestError) Unwrap() error { return e.Err }
