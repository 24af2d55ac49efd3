package mail

import (
	"net/http"

	"github.com/nexios-go/nexios"
)

// InputError turns an invalid address that came from the client into a
// 422 problem (RFC 9457) naming the client's field, for a handler to
// return:
//
//	if _, err := mail.ParseAddress(in.Email); err != nil {
//		return mail.InputError(err, "body", "email")
//	}
//
// Errors that are not address errors are returned unchanged: an invalid
// address from configuration (the default From) must stay a 500, not
// blame the client.
func InputError(err error, location, field string) error {
	var fields []nexios.FieldError
	for _, ae := range addressErrors(err) {
		fields = append(fields, nexios.FieldError{
			Location: location,
			Field:    field,
			Message:  "is not a valid e-mail address: " + ae.Err.Error(),
			Rule:     "email",
		})
	}
	if len(fields) == 0 {
		return err
	}
	return &nexios.HTTPError{
		Status: http.StatusUnprocessableEntity,
		Detail: "Invalid e-mail address.",
		Errors: fields,
		Err:    err,
	}
}

// addressErrors collects the *AddressError in err's tree (Validate joins
// several).
func addressErrors(err error) []*AddressError {
	var out []*AddressError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ae, ok := e.(*AddressError); ok {
			out = append(out, ae)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
