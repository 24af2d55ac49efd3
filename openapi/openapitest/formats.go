package openapitest

import (
	"errors"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// formats asserts the string formats the generator writes, as JSON Schema
// 2020-12 leaves them to the validator: the server checks them, so the
// client checks requests and responses against them too.
func formats() map[string]openapi3.StringFormatValidator {
	check := func(fn func(string) error) openapi3.StringFormatValidator { return openapi3.NewCallbackValidator(fn) }
	layout := func(l string) openapi3.StringFormatValidator {
		return check(func(s string) error { _, err := time.Parse(l, s); return err })
	}
	return map[string]openapi3.StringFormatValidator{
		"date":      layout(time.DateOnly),
		"date-time": layout(time.RFC3339Nano),
		"time":      layout(time.TimeOnly),
		"email": check(func(s string) error {
			a, err := mail.ParseAddress(s)
			if err == nil && a.Address != s {
				err = errors.New("not a bare address")
			}
			return err
		}),
		"uri": check(func(s string) error {
			u, err := url.Parse(s)
			if err == nil && u.Scheme == "" {
				err = errors.New("not an absolute URI")
			}
			return err
		}),
		"uuid": openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`),
		"ipv4": check(func(s string) error {
			a, err := netip.ParseAddr(s)
			if err == nil && !a.Is4() {
				err = errors.New("not IPv4")
			}
			return err
		}),
		"ipv6": check(func(s string) error {
			a, err := netip.ParseAddr(s)
			if err == nil && !a.Is6() {
				err = errors.New("not IPv6")
			}
			return err
		}),
		"hostname": check(func(s string) error {
			if !hostname.MatchString(s) {
				return errors.New("not a hostname")
			}
			return nil
		}),
	}
}

var hostname = regexp.MustCompile(`^(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$`)
