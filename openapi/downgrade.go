package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Downgrade rewrites an OpenAPI 3.1 document (JSON) as OpenAPI 3.0.3, for
// tools that do not read 3.1 yet. The schemas the generator writes map
// onto 3.0 without loss of what validates:
//
//   - a type list with "null" becomes the type and nullable: true; a list
//     of several types becomes anyOf;
//   - exclusiveMinimum/exclusiveMaximum numbers become minimum/maximum
//     with the boolean form; const becomes a one-value enum; examples
//     becomes example;
//   - a $ref with sibling keywords (3.0 ignores them) becomes allOf with
//     the siblings beside it;
//   - keywords 3.0 does not know ($schema, $id, $comment, prefixItems,
//     contentMediaType, …) and the document's jsonSchemaDialect, webhooks
//     and info.summary/license.identifier are dropped.
func Downgrade(doc []byte) ([]byte, error) {
	var root map[string]any
	if err := json.Unmarshal(doc, &root); err != nil {
		return nil, fmt.Errorf("openapi: downgrade: %w", err)
	}
	root["openapi"] = "3.0.3"
	if _, ok := root["paths"].(map[string]any); !ok {
		root["paths"] = map[string]any{} // optional in 3.1, required in 3.0
	}
	delete(root, "jsonSchemaDialect")
	delete(root, "webhooks")
	if info, ok := root["info"].(map[string]any); ok {
		delete(info, "summary")
		if lic, ok := info["license"].(map[string]any); ok {
			delete(lic, "identifier")
		}
	}
	if c, ok := root["components"].(map[string]any); ok {
		delete(c, "pathItems")
		if schemas, ok := c["schemas"].(map[string]any); ok {
			for k, s := range schemas {
				schemas[k] = schema30(s)
			}
		}
		for _, kind := range []string{"parameters", "headers", "responses", "requestBodies"} {
			if m, ok := c[kind].(map[string]any); ok {
				for _, v := range m {
					holder30(v)
				}
			}
		}
	}
	if paths, ok := root["paths"].(map[string]any); ok {
		for _, item := range paths {
			pi, ok := item.(map[string]any)
			if !ok {
				continue
			}
			for k, op := range pi {
				if k == "parameters" {
					holder30(op)
					continue
				}
				if o, ok := op.(map[string]any); ok {
					for _, part := range []string{"parameters", "requestBody", "responses"} {
						holder30(o[part])
					}
				}
			}
		}
	}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: downgrade: %w", err)
	}
	return append(b, '\n'), nil
}

// holder30 converts the schemas inside parameters, request bodies,
// responses, headers and media types.
func holder30(v any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			holder30(e)
		}
	case map[string]any:
		for k, e := range x {
			if k == "schema" {
				x[k] = schema30(e)
				continue
			}
			holder30(e)
		}
	}
}

// dropped30 are schema keywords OpenAPI 3.0 does not have.
var dropped30 = []string{"$schema", "$id", "$anchor", "$comment", "$defs", "prefixItems", "contentMediaType",
	"contentEncoding", "contentSchema", "unevaluatedProperties", "unevaluatedItems", "dependentRequired",
	"dependentSchemas", "if", "then", "else", "propertyNames", "patternProperties", "contains", "minContains", "maxContains"}

// schema30 converts one JSON Schema 2020-12 schema to an OpenAPI 3.0
// schema object.
func schema30(v any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for _, k := range dropped30 {
		delete(s, k)
	}
	for _, k := range []string{"items", "not", "additionalProperties"} {
		if e, ok := s[k]; ok {
			s[k] = schema30(e)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := s[k].([]any); ok {
			for i, e := range list {
				list[i] = schema30(e)
			}
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for k, e := range props {
			props[k] = schema30(e)
		}
	}
	if c, ok := s["const"]; ok {
		delete(s, "const")
		s["enum"] = []any{c}
	}
	if ex, ok := s["examples"].([]any); ok {
		delete(s, "examples")
		if len(ex) > 0 {
			s["example"] = ex[0]
		}
	}
	for bound, limit := range map[string]string{"exclusiveMinimum": "minimum", "exclusiveMaximum": "maximum"} {
		if n, ok := s[bound].(float64); ok {
			s[limit] = n
			s[bound] = true
		}
	}
	if types, ok := s["type"].([]any); ok {
		var rest []any
		for _, t := range types {
			if t == "null" {
				s["nullable"] = true
			} else {
				rest = append(rest, t)
			}
		}
		switch len(rest) {
		case 0:
			delete(s, "type")
		case 1:
			s["type"] = rest[0]
		default:
			delete(s, "type")
			var alts []any
			for _, t := range rest {
				alts = append(alts, map[string]any{"type": t})
			}
			s["anyOf"] = alts
		}
	} else if s["type"] == "null" {
		delete(s, "type")
		s["nullable"] = true
		s["enum"] = []any{nil}
	}
	if ref, ok := s["$ref"]; ok && len(s) > 1 {
		siblings := maps.Clone(s)
		delete(siblings, "$ref")
		out := map[string]any{"allOf": []any{map[string]any{"$ref": ref}}}
		for _, k := range slices.Sorted(maps.Keys(siblings)) {
			out[k] = siblings[k]
		}
		return out
	}
	return s
}
