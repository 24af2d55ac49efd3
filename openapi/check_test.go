package openapi_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// checkDocument checks what a validator may let through in a generated
// document: every $ref resolves, every {param} of a path is a required
// path parameter and every path parameter is in its path, operationIds
// are unique, every operation has a summary, and every schema type is a
// JSON Schema type. (The openapitest module runs kin-openapi's validator
// and the response checks; this module keeps no test-only dependency.)
func checkDocument(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	walkJSON(root, "#", func(ptr string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			if _, err := resolvePointer(root, ref); err != nil {
				t.Errorf("%s: dangling $ref %q: %v", ptr, ref, err)
			}
		}
		isSchema := strings.Contains(ptr, "/schema") || strings.Contains(ptr, "/components/schemas/")
		if isSchema && !strings.HasSuffix(ptr, "/properties") {
			checkTypes(t, ptr, m["type"])
		}
	})

	ids := map[string]string{}
	paths, _ := root["paths"].(map[string]any)
	tmpl := regexp.MustCompile(`\{([^}]+)\}`)
	for p, item := range paths {
		var inPath []string
		for _, m := range tmpl.FindAllStringSubmatch(p, -1) {
			inPath = append(inPath, m[1])
		}
		for method, op := range item.(map[string]any) {
			o := op.(map[string]any)
			id, _ := o["operationId"].(string)
			if id == "" {
				t.Errorf("%s %s: no operationId", method, p)
			} else if prev, dup := ids[id]; dup {
				t.Errorf("operationId %q used by %s and %s %s", id, prev, method, p)
			}
			ids[id] = method + " " + p
			if s, _ := o["summary"].(string); s == "" {
				t.Errorf("%s %s: no summary", method, p)
			}
			var declared []string
			params, _ := o["parameters"].([]any)
			for _, x := range params {
				pm := x.(map[string]any)
				if pm["in"] != "path" {
					continue
				}
				name := pm["name"].(string)
				declared = append(declared, name)
				if pm["required"] != true {
					t.Errorf("%s %s: path parameter %s is not required", method, p, name)
				}
				if !slices.Contains(inPath, name) {
					t.Errorf("%s %s: path parameter %s is not in the path", method, p, name)
				}
			}
			for _, name := range inPath {
				if !slices.Contains(declared, name) {
					t.Errorf("%s %s: {%s} is not declared as a path parameter", method, p, name)
				}
			}
		}
	}
	return root
}

var jsonTypes = []string{"string", "number", "integer", "boolean", "array", "object", "null"}

func checkTypes(t *testing.T, ptr string, typ any) {
	t.Helper()
	switch v := typ.(type) {
	case nil:
	case string:
		if !slices.Contains(jsonTypes, v) {
			t.Errorf("%s: type %q", ptr, v)
		}
	case []any:
		for _, x := range v {
			checkTypes(t, ptr, x)
		}
	default:
		t.Errorf("%s: type %v", ptr, v)
	}
}

// walkJSON calls fn for every value under v with its JSON pointer.
func walkJSON(v any, ptr string, fn func(string, any)) {
	fn(ptr, v)
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			walkJSON(e, ptr+"/"+escapePointer(k), fn)
		}
	case []any:
		for i, e := range x {
			walkJSON(e, ptr+"/"+strconv.Itoa(i), fn)
		}
	}
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// resolvePointer resolves a local reference ("#/components/schemas/X").
func resolvePointer(root any, ref string) (any, error) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, errString("not a local reference")
	}
	frag, err := url.PathUnescape(frag)
	if err != nil {
		return nil, err
	}
	cur := root
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, errString("not an object at " + tok)
		}
		if cur, ok = m[tok]; !ok {
			return nil, errString("no member " + tok)
		}
	}
	return cur, nil
}

type errString string

func (e errString) Error() string { return string(e) }

// at returns the value at a path of keys in a decoded document, failing
// the test when it is missing.
func at(t *testing.T, v any, keys ...string) any {
	t.Helper()
	for i, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object", strings.Join(keys[:i], "."))
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("%s: missing", strings.Join(keys[:i+1], "."))
		}
	}
	return v
}
