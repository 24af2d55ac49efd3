package openapi

import (
	"reflect"
	"slices"
	"strings"
)

const refPrefix = "#/components/schemas/"

// mergeVariants folds the request variant of a struct ("UserInput") into
// its response variant ("User") when both came out the same, so a
// document has two schemas for a type only where its request and response
// bodies really differ (as pydantic's separate input and output schemas
// do). A merge can make other pairs equal, so it repeats until none is
// left.
func (g *generator) mergeVariants(ops []*operation) {
	comps := g.r.SpecEns().ComponentsEns().Schemas
	rename := map[string]string{}
	var pairs [][2]string
	for key, in := range g.names {
		if key.dir != dirIn || key.suffix != "" {
			continue
		}
		if out, ok := g.names[defKey{t: key.t, dir: dirOut}]; ok {
			pairs = append(pairs, [2]string{in, out})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	for changed := true; changed; {
		changed = false
		for _, p := range pairs {
			in, out := p[0], p[1]
			if rename[in] != "" || comps[in] == nil || comps[out] == nil {
				continue
			}
			try := map[string]string{in: out}
			for k, v := range rename {
				try[k] = v
			}
			if reflect.DeepEqual(renamed(comps[in], try), any(comps[out])) {
				rename[in] = out
				changed = true
			}
		}
	}
	if len(rename) == 0 {
		return
	}
	for in := range rename {
		delete(comps, in)
	}
	for name, c := range comps {
		comps[name] = renamed(c, rename).(map[string]any)
	}
	for _, op := range ops {
		for _, p := range op.op.Parameters {
			if p.Parameter != nil {
				p.Parameter.Schema = renamed(p.Parameter.Schema, rename).(map[string]any)
			}
		}
		if rb := op.op.RequestBody; rb != nil && rb.RequestBody != nil {
			for m, mt := range rb.RequestBody.Content {
				mt.Schema = renamed(mt.Schema, rename).(map[string]any)
				rb.RequestBody.Content[m] = mt
			}
		}
	}
}

// renamed returns a copy of a decoded schema with its references to
// renamed components pointing to their new names.
func renamed(v any, rename map[string]string) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				if to, ok := rename[strings.TrimPrefix(s, refPrefix)]; ok && strings.HasPrefix(s, refPrefix) {
					e = refPrefix + to
				}
			}
			out[k] = renamed(e, rename)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renamed(e, rename)
		}
		return out
	}
	return v
}
