package resource

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nexios-go/nexios/cmd/nexios/internal/naming"
)

// Kind is a field type of the command line: string, text, int, …
type Kind struct {
	// Name is how it is written: "string".
	Name string
	// GoType is the Go type of a required field; an optional one is a
	// pointer to it.
	GoType string
	// BunType is an explicit SQL type (bun's type: option), or "" for
	// bun's mapping of GoType.
	BunType string
	// Validate is the validate rule of every value ("email", "max=255").
	Validate string
	// Text is true for kinds stored as text, which search looks into.
	Text bool
	// Import is a package the Go type needs ("time").
	Import string
}

// Kinds are the field types, in the order help lists them.
var Kinds = []Kind{
	{Name: "string", GoType: "string", Validate: "max=255", Text: true},
	{Name: "text", GoType: "string", BunType: "text", Validate: "max=65535", Text: true},
	{Name: "int", GoType: "int64"},
	{Name: "float", GoType: "float64"},
	{Name: "bool", GoType: "bool"},
	{Name: "time", GoType: "time.Time", Import: "time"},
	{Name: "email", GoType: "string", Validate: "email,max=254", Text: true},
	{Name: "url", GoType: "string", Validate: "url,max=2048", Text: true},
	{Name: "uuid", GoType: "string", Validate: "uuid"},
}

// kindAliases are other spellings people type.
var kindAliases = map[string]string{
	"str": "string", "varchar": "string", "integer": "int", "int64": "int", "float64": "float",
	"decimal": "float", "boolean": "bool", "datetime": "time", "timestamp": "time",
}

// Modifiers are what may follow a field's type.
var Modifiers = []string{"unique", "index", "optional"}

// Field is one field of a resource: title:string:unique.
type Field struct {
	Name     string // as typed, checked: "published_at"
	Kind     Kind
	Unique   bool
	Index    bool
	Optional bool
}

// ErrField is wrapped by the errors of ParseField.
var ErrField = errors.New("invalid field")

// ParseField parses NAME:TYPE[:MODIFIER…], for example title:string,
// email:email:unique, published_at:time:optional:index. The type
// defaults to string when only a name is given.
func ParseField(arg string) (Field, error) {
	parts := strings.Split(arg, ":")
	f := Field{Name: parts[0]}
	if err := naming.CheckIdent("field", f.Name); err != nil {
		return Field{}, fmt.Errorf("%w %q: %w", ErrField, arg, err)
	}
	kind := "string"
	if len(parts) > 1 {
		kind = strings.ToLower(parts[1])
	}
	if alias, ok := kindAliases[kind]; ok {
		kind = alias
	}
	i := slices.IndexFunc(Kinds, func(k Kind) bool { return k.Name == kind })
	if i < 0 {
		return Field{}, fmt.Errorf("%w %q: unknown type %q (types: %s)", ErrField, arg, kind, strings.Join(KindNames(), ", "))
	}
	f.Kind = Kinds[i]
	for _, m := range parts[min(2, len(parts)):] {
		switch strings.ToLower(m) {
		case "unique":
			f.Unique = true
		case "index":
			f.Index = true
		case "optional", "null", "nullable":
			f.Optional = true
		default:
			return Field{}, fmt.Errorf("%w %q: unknown modifier %q (modifiers: %s)", ErrField, arg, m, strings.Join(Modifiers, ", "))
		}
	}
	if f.Unique && f.Index {
		f.Index = false // a unique constraint is an index already
	}
	return f, nil
}

// KindNames lists the type names.
func KindNames() []string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = k.Name
	}
	return names
}

// GoName is the field's Go identifier: "published_at" → "PublishedAt".
func (f Field) GoName() string { return naming.Pascal(f.Name) }

// Column is the field's column and JSON name: "PublishedAt" →
// "published_at".
func (f Field) Column() string { return naming.Snake(f.Name) }

// GoType is the model field's type: a pointer for an optional field.
func (f Field) GoType() string {
	if f.Optional {
		return "*" + f.Kind.GoType
	}
	return f.Kind.GoType
}

// BunTag is the model field's bun tag. It names the column, so that the
// column and the JSON name are one name.
func (f Field) BunTag() string {
	opts := []string{f.Column()}
	if f.Kind.BunType != "" {
		opts = append(opts, "type:"+f.Kind.BunType)
	}
	if f.Optional {
		opts = append(opts, "nullzero")
	} else {
		opts = append(opts, "notnull")
	}
	if f.Unique {
		opts = append(opts, "unique")
	}
	return strings.Join(opts, ",")
}

// Tags is the model field's whole struct tag.
func (f Field) Tags() string {
	tag := fmt.Sprintf(`bun:"%s"`, f.BunTag())
	if f.Index {
		tag += ` db:"index"`
	}
	omit := ""
	if f.Optional {
		omit = ",omitempty"
	}
	return tag + fmt.Sprintf(` json:"%s%s"`, f.Column(), omit)
}

// Rules is the validate tag of the field in a create or replace body.
func (f Field) Rules() string {
	var rules []string
	// A bool cannot be required (false is its zero value), and a number
	// may well be zero: only text and times must be present.
	if !f.Optional && (f.Kind.Text || f.Kind.Name == "time" || f.Kind.Name == "uuid") {
		rules = append(rules, "required")
	} else if f.Kind.Validate != "" {
		rules = append(rules, "omitempty")
	}
	if f.Kind.Validate != "" {
		rules = append(rules, f.Kind.Validate)
	}
	return strings.Join(rules, ",")
}

// PatchRules is the validate tag of the field in a patch body, where
// every field is an optional pointer.
func (f Field) PatchRules() string {
	if f.Kind.Validate == "" {
		return ""
	}
	rule := "omitempty," + f.Kind.Validate
	if !f.Optional && f.Kind.Text {
		// A required text field may be changed, not emptied.
		rule = "omitnil,min=1," + f.Kind.Validate
	}
	return rule
}
