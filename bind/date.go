package bind

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Date is a calendar date, written "2006-01-02" in JSON, query strings
// and forms: the Go counterpart of Python's datetime.date.
//
// The openapi package documents it as {"type": "string", "format": "date"}
// because of its JSONSchemaFormat method.
type Date struct{ time.Time }

// NewDate returns the date of year, month and day.
func NewDate(year int, month time.Month, day int) Date {
	return Date{time.Date(year, month, day, 0, 0, 0, 0, time.UTC)}
}

// String returns the date as 2006-01-02.
func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (query strings,
// forms).
func (d *Date) UnmarshalText(b []byte) error {
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return fmt.Errorf("invalid date %q: use the format YYYY-MM-DD", b)
	}
	d.Time = t
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON implements json.Unmarshaler: a JSON string holding a
// date. null is refused: encoding/json sets a *Date field to nil without
// calling this method, so a null reaching it is meant for a Date that
// cannot be null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return errors.New("must be a date string in the format YYYY-MM-DD, not null")
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("invalid date %s: use a string in the format YYYY-MM-DD", b)
	}
	return d.UnmarshalText([]byte(s))
}

// JSONSchemaFormat tells the openapi package that a Date is a string in
// the "date" format.
func (Date) JSONSchemaFormat() string { return "date" }
