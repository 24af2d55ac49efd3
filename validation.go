package nexios

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
)

// FieldError describes one invalid input field.
type FieldError struct {
	// Location is where the field came from: "body", "query", "path",
	// "header", "cookie" or "form".
	Location string `json:"location"`
	// Field is the path of the field with JSON names: addresses[0].city.
	Field string `json:"field"`
	// Message is a human-readable explanation.
	Message string `json:"message"`
	// Rule is the failed rule ("required", "min", "email", "type", …).
	Rule string `json:"rule"`
	// Param is the rule's parameter, such as "8" for min=8.
	Param string `json:"param,omitempty"`
}

// ValidationError is returned when input fails validation. It renders as
// 422 with every failing field in the problem document's "errors" array.
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

// Detail is the one-line summary used in the problem document.
func (e *ValidationError) Detail() string {
	if len(e.Errors) == 1 {
		return "validation failed for field " + e.Errors[0].Field
	}
	return fmt.Sprintf("validation failed for %d fields", len(e.Errors))
}

// StatusCode returns 422.
func (e *ValidationError) StatusCode() int { return http.StatusUnprocessableEntity }

// Validator returns the app's go-playground validator, to register custom
// rules: app.Validator().RegisterValidation("strong", fn). Field names in
// errors are JSON names.
func (a *App) Validator() *validator.Validate {
	a.validatorOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(fieldName)
		a.validator = v
	})
	return a.validator
}

// fieldName is the name a struct field has on the wire: its json tag, then
// its form tag, then the Go name.
func fieldName(f reflect.StructField) string {
	for _, key := range []string{"json", "form", "query"} {
		if tag, ok := f.Tag.Lookup(key); ok {
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" {
				return ""
			}
			if name != "" {
				return name
			}
		}
	}
	return f.Name
}

// Validate checks v's `validate` tags and returns a *ValidationError
// listing every failing field, located at loc ("body", "query", …).
func (a *App) Validate(v any, loc string) error {
	err := a.Validator().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		var inv *validator.InvalidValidationError
		if errors.As(err, &inv) {
			return nil // not a struct: nothing to validate
		}
		return err
	}
	out := &ValidationError{Errors: make([]FieldError, 0, len(verrs))}
	for _, fe := range verrs {
		field := fe.Namespace()
		if _, rest, ok := strings.Cut(field, "."); ok {
			field = rest // drop the root struct's name
		}
		out.Errors = append(out.Errors, FieldError{
			Location: loc,
			Field:    field,
			Message:  ruleMessage(fe),
			Rule:     fe.Tag(),
			Param:    fe.Param(),
		})
	}
	return out
}

func ruleMessage(fe validator.FieldError) string {
	p := fe.Param()
	unit := ""
	switch fe.Kind() {
	case reflect.String:
		unit = " characters"
	case reflect.Slice, reflect.Map, reflect.Array:
		unit = " items"
	}
	switch fe.Tag() {
	case "required", "required_if", "required_unless", "required_with", "required_without":
		return "is required"
	case "min":
		return "must be at least " + p + unit
	case "max":
		return "must be at most " + p + unit
	case "len":
		return "must be exactly " + p + unit
	case "gte":
		return "must be greater than or equal to " + p + unit
	case "lte":
		return "must be less than or equal to " + p + unit
	case "gt":
		return "must be greater than " + p + unit
	case "lt":
		return "must be less than " + p + unit
	case "eq":
		return "must be equal to " + p
	case "ne":
		return "must not be equal to " + p
	case "oneof":
		return "must be one of: " + strings.Join(strings.Fields(p), ", ")
	case "email":
		return "must be a valid email address"
	case "url", "http_url":
		return "must be a valid URL"
	case "uuid", "uuid4":
		return "must be a valid UUID"
	case "alphanum":
		return "must contain only letters and digits"
	case "datetime":
		return "must be a date/time in the format " + p
	}
	if p != "" {
		return fmt.Sprintf("failed the %q rule (%s)", fe.Tag(), p)
	}
	return fmt.Sprintf("failed the %q rule", fe.Tag())
}
