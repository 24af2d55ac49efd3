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

// DecodeJSON decodes data into v with the app's JSON codec and the checks
// request bodies get: malformed JSON is a *bind.RequestError (400); a value
// of the wrong type, a null for a field that cannot be null, a repeated
// key or a name in the wrong case (unless Config.LaxJSON) a
// *bind.ValidationError (422). It does not validate: see Validate. It is
// for JSON that does not arrive as a request body, such as WebSocket
// messages.
func (a *App) DecodeJSON(data []byte, v any) error { return a.binder.DecodeJSON(data, v) }

// RuleSchema says what a custom validation rule means in JSON Schema, so
// that the OpenAPI document refuses what the rule refuses (and generated
// clients and response validators agree with the server). Zero fields
// say nothing.
type RuleSchema struct {
	// MinLength and MaxLength bound a string's length in characters.
	MinLength, MaxLength int
	// Pattern is a regular expression the whole value must match (anchor
	// it with ^ and $).
	Pattern string
	// Contains are regular expressions the value must each match
	// somewhere: "an upper-case letter" is `\p{Lu}`. They become an allOf
	// of patterns, which both ECMA-262 and RE2 validators read.
	Contains []string
	// Format is a JSON Schema format ("email", "uri", …).
	Format string
	// Description is added to the property's description.
	Description string
}

// DescribeRule records what the custom validation rule means in JSON
// Schema; the openapi package applies it wherever a field uses the rule.
// Register the rule itself with Validator().RegisterValidation.
func (a *App) DescribeRule(rule string, s RuleSchema) { a.ruleSchemas.Store(rule, s) }

// DescribedRule returns what DescribeRule recorded for rule.
func (a *App) DescribedRule(rule string) (RuleSchema, bool) {
	v, ok := a.ruleSchemas.Load(rule)
	if !ok {
		return RuleSchema{}, false
	}
	return v.(RuleSchema), true
}
