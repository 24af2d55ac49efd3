package nexios

import (
	"github.com/go-playground/validator/v10"

	"github.com/nexios-go/nexios/bind"
)

// FieldError describes one invalid input field: its location ("body",
// "query", "path", "header", "cookie", "form"), its path with wire names
// (addresses[0].city), a message, and the failed rule.
type FieldError = bind.FieldError

// ValidationError is returned when input fails binding or validation. It
// renders as 422 with every failing field in the problem document's
// "errors" array.
type ValidationError = bind.ValidationError

// Validator returns the app's go-playground validator, to register custom
// rules: app.Validator().RegisterValidation("strong", fn). Field names in
// errors are wire names (json, query, … tags).
func (a *App) Validator() *validator.Validate { return a.binder.Validator() }

// SetValidationMessage overrides the message of a validation rule ("min",
// "email", or a custom rule's name).
func (a *App) SetValidationMessage(rule string, msg func(validator.FieldError) string) {
	a.binder.SetMessage(rule, msg)
}

// Validate checks v's validate tags, Enum fields and Validate method and
// returns a *ValidationError listing every failing field, located at loc
// ("body", "query", …).
func (a *App) Validate(v any, loc string) error { return a.binder.Validate(v, loc) }
