package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"

	"github.com/nexios-go/nexios"
)

// PasswordPolicy is a password-strength rule. The zero value only bounds
// the length (8 to 128 characters); DefaultPasswordPolicy adds seed 001's
// character classes.
type PasswordPolicy struct {
	// MinLength in characters (runes). Default 8.
	MinLength int
	// MaxLength in characters. Default 128.
	MaxLength int
	// RequireUpper, RequireLower, RequireDigit and RequireSymbol each
	// require one character of the class (Unicode-aware: "É" is upper
	// case).
	RequireUpper  bool
	RequireLower  bool
	RequireDigit  bool
	RequireSymbol bool
}

// DefaultPasswordPolicy is seed 001's password_strength validator: at
// least 8 characters with an upper-case letter, a lower-case letter and a
// digit.
func DefaultPasswordPolicy() PasswordPolicy {
	return PasswordPolicy{MinLength: 8, MaxLength: 128, RequireUpper: true, RequireLower: true, RequireDigit: true}
}

// PasswordError lists what a password lacks.
type PasswordError struct {
	// Problems are messages such as "must be at least 8 characters".
	Problems []string
}

// Error joins the problems.
func (e *PasswordError) Error() string { return strings.Join(e.Problems, "; ") }

// StatusCode returns 422, so a handler can return the error as is.
func (e *PasswordError) StatusCode() int { return 422 }

// Check returns nil for an acceptable password, or a *PasswordError.
func (p PasswordPolicy) Check(password string) error {
	minLen, maxLen := p.MinLength, p.MaxLength
	if minLen <= 0 {
		minLen = 8
	}
	if maxLen <= 0 {
		maxLen = 128
	}
	var problems []string
	n := utf8.RuneCountInString(password)
	if n < minLen {
		problems = append(problems, fmt.Sprintf("must be at least %d characters", minLen))
	}
	if n > maxLen {
		problems = append(problems, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r) || r == ' ':
			symbol = true
		}
	}
	for _, rule := range []struct {
		want, have bool
		msg        string
	}{
		{p.RequireUpper, upper, "must contain an uppercase letter"},
		{p.RequireLower, lower, "must contain a lowercase letter"},
		{p.RequireDigit, digit, "must contain a digit"},
		{p.RequireSymbol, symbol, "must contain a symbol"},
	} {
		if rule.want && !rule.have {
			problems = append(problems, rule.msg)
		}
	}
	if len(problems) > 0 {
		return &PasswordError{Problems: problems}
	}
	return nil
}

// Validation returns the policy as a go-playground validator function,
// for string fields:
//
//	app.Validator().RegisterValidation("password", auth.DefaultPasswordPolicy().Validation())
//
// RegisterPasswordRule also sets the error message.
func (p PasswordPolicy) Validation() validator.Func {
	return func(fl validator.FieldLevel) bool {
		s, ok := fl.Field().Interface().(string)
		return ok && p.Check(s) == nil
	}
}

// RegisterPasswordRule registers the policy under tag with the app's
// validator, with a message that says what the password lacks, so that
// structs can say `validate:"required,password"` and req.Bind answers 422
// with field errors such as "must contain a digit".
func RegisterPasswordRule(app *nexios.App, tag string, p PasswordPolicy) error {
	if tag == "" {
		return errors.New("auth: RegisterPasswordRule needs a tag")
	}
	if err := app.Validator().RegisterValidation(tag, p.Validation()); err != nil {
		return fmt.Errorf("auth: registering the %q rule: %w", tag, err)
	}
	app.SetValidationMessage(tag, func(fe validator.FieldError) string {
		s, _ := fe.Value().(string)
		if err := p.Check(s); err != nil {
			return err.Error()
		}
		return "is not an acceptable password"
	})
	app.DescribeRule(tag, p.Schema())
	return nil
}

// Schema is the policy in JSON Schema (the same length bounds and
// character classes Check applies, Unicode-aware), so that the OpenAPI
// document refuses what the rule refuses.
func (p PasswordPolicy) Schema() nexios.RuleSchema {
	s := nexios.RuleSchema{MinLength: p.MinLength, MaxLength: p.MaxLength}
	if s.MinLength <= 0 {
		s.MinLength = 8
	}
	if s.MaxLength <= 0 {
		s.MaxLength = 128
	}
	var needs []string
	for _, c := range []struct {
		on      bool
		pattern string
		what    string
	}{
		{p.RequireUpper, `\p{Lu}`, "an upper-case letter"},
		{p.RequireLower, `\p{Ll}`, "a lower-case letter"},
		{p.RequireDigit, `\p{Nd}`, "a digit"},
		{p.RequireSymbol, `[\p{P}\p{S} ]`, "a symbol"},
	} {
		if c.on {
			s.Contains = append(s.Contains, c.pattern)
			needs = append(needs, c.what)
		}
	}
	s.Description = fmt.Sprintf("A password of %d to %d characters", s.MinLength, s.MaxLength)
	if len(needs) > 0 {
		s.Description += " with " + strings.Join(needs, ", ")
	}
	s.Description += "."
	return s
}
