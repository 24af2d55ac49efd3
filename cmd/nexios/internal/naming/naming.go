// Package naming turns the names a person types on the command line
// ("blog-post", "BlogPost", "blog_posts") into the identifiers generated
// code needs: Go types, file names, table names, URL segments.
package naming

import (
	"errors"
	"fmt"
	"go/token"
	"strings"
	"unicode"
)

// Words splits a name into lower-case words at underscores, hyphens,
// spaces, and case changes: "BlogPost", "blog_post", "blog-post" and
// "HTTPServer2" give [blog post], [blog post], [blog post] and
// [http server2].
func Words(name string) []string {
	var words []string
	var cur []rune
	runes := []rune(name)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range runes {
		switch {
		case r == '_' || r == '-' || r == ' ' || r == '.':
			flush()
		case unicode.IsUpper(r):
			// A new word starts at an upper-case letter that follows a
			// lower-case one or digit ("blogPost"), or that ends an
			// acronym before a lower-case letter ("HTTPServer").
			if len(cur) > 0 {
				prev := runes[i-1]
				nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					flush()
				}
			}
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// initialisms are written in capitals in Go identifiers (Go's own style:
// ID, URL, HTTP).
var initialisms = map[string]string{
	"id": "ID", "url": "URL", "uri": "URI", "http": "HTTP", "api": "API", "json": "JSON",
	"html": "HTML", "ip": "IP", "uuid": "UUID", "sql": "SQL", "xml": "XML", "css": "CSS",
}

// Pascal is the exported Go identifier of name: "blog_post" → "BlogPost",
// "user_id" → "UserID".
func Pascal(name string) string {
	var b strings.Builder
	for _, w := range Words(name) {
		if up, ok := initialisms[w]; ok {
			b.WriteString(up)
			continue
		}
		r := []rune(w)
		b.WriteRune(unicode.ToUpper(r[0]))
		b.WriteString(string(r[1:]))
	}
	return b.String()
}

// Camel is the unexported Go identifier of name: "blog_post" →
// "blogPost", "id" → "id".
func Camel(name string) string {
	words := Words(name)
	if len(words) == 0 {
		return ""
	}
	return words[0] + Pascal(strings.Join(words[1:], "_"))
}

// Snake is name in snake_case: "BlogPost" → "blog_post".
func Snake(name string) string { return strings.Join(Words(name), "_") }

// Kebab is name in kebab-case: "BlogPost" → "blog-post".
func Kebab(name string) string { return strings.Join(Words(name), "-") }

// Title is name as a title: "my-shop" → "My Shop".
func Title(name string) string {
	words := Words(name)
	for i, w := range words {
		r := []rune(w)
		words[i] = string(unicode.ToUpper(r[0])) + string(r[1:])
	}
	return strings.Join(words, " ")
}

// Human is name in words: "blog_post" → "blog post".
func Human(name string) string { return strings.Join(Words(name), " ") }

// irregular plurals of common English nouns.
var irregular = map[string]string{
	"person": "people", "man": "men", "woman": "women", "child": "children",
	"mouse": "mice", "goose": "geese", "tooth": "teeth", "foot": "feet",
	"datum": "data", "index": "indices", "status": "statuses",
}

// uncountable nouns have no plural form of their own.
var uncountable = map[string]bool{
	"news": true, "series": true, "species": true, "equipment": true, "information": true,
	"rice": true, "money": true, "sheep": true, "fish": true, "deer": true, "feedback": true, "metadata": true,
}

// Plural is the English plural of the last word of name, in snake_case:
// "blog_post" → "blog_posts", "category" → "categories", "person" →
// "people". English has more exceptions than this knows; a wrong guess
// is corrected with the generator's --plural flag.
func Plural(name string) string {
	words := Words(name)
	if len(words) == 0 {
		return ""
	}
	last := words[len(words)-1]
	words[len(words)-1] = pluralWord(last)
	return strings.Join(words, "_")
}

func pluralWord(w string) string {
	if p, ok := irregular[w]; ok {
		return p
	}
	if uncountable[w] {
		return w
	}
	switch {
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"), strings.HasSuffix(w, "z"),
		strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		return w + "es"
	case strings.HasSuffix(w, "y") && len(w) > 1 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return w[:len(w)-1] + "ies"
	case strings.HasSuffix(w, "fe"):
		return w[:len(w)-2] + "ves"
	case strings.HasSuffix(w, "f") && !strings.HasSuffix(w, "ff") && !strings.HasSuffix(w, "ef"):
		return w[:len(w)-1] + "ves"
	}
	return w + "s"
}

// ErrInvalidName is wrapped by the errors of the Check functions.
var ErrInvalidName = errors.New("invalid name")

// CheckProject checks a project name (the directory nexios new creates
// and, by default, the module path's last element): letters, digits,
// '-' and '_', starting with a letter, at most 64 characters.
func CheckProject(name string) error {
	if name == "" {
		return fmt.Errorf("%w: the project name is empty", ErrInvalidName)
	}
	if len(name) > 64 {
		return fmt.Errorf("%w: %q is longer than 64 characters", ErrInvalidName, name)
	}
	for i, r := range name {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '-' || r == '_')))
		if !ok {
			return fmt.Errorf("%w: %q: use ASCII letters, digits, '-' and '_', starting with a letter", ErrInvalidName, name)
		}
	}
	return nil
}

// reserved are names a generated resource or field cannot take: they
// would collide with the generated code's own identifiers or with Go's.
var reserved = map[string]bool{
	"id": true, "created_at": true, "updated_at": true, "deleted_at": true, "base_model": true,
}

// CheckIdent checks that name (a resource or a field) gives a usable Go
// identifier: ASCII letters, digits and '_', starting with a letter, not a
// Go keyword, not one of the columns every model has (id, created_at,
// updated_at).
func CheckIdent(what, name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty %s name", ErrInvalidName, what)
	}
	for i, r := range name {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || r == '_' || r == '-' || (i > 0 && unicode.IsDigit(r)))
		if !ok || (i == 0 && !unicode.IsLetter(r)) {
			return fmt.Errorf("%w: %s %q: use ASCII letters, digits, '_' and '-', starting with a letter", ErrInvalidName, what, name)
		}
	}
	snake := Snake(name)
	if token.IsKeyword(snake) || token.IsKeyword(Camel(name)) {
		return fmt.Errorf("%w: %s %q is a Go keyword", ErrInvalidName, what, name)
	}
	if reserved[snake] {
		return fmt.Errorf("%w: %s %q: every model already has id, created_at and updated_at", ErrInvalidName, what, name)
	}
	return nil
}
