package cli

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// difference is one place where two JSON values differ.
type difference struct {
	op   byte   // '-' only in the old value, '+' only in the new, '~' changed
	path string // paths["/users"].get.parameters[0]
	old  any
	new  any
}

func (d difference) String() string {
	switch d.op {
	case '-':
		return fmt.Sprintf("- %s: %s", d.path, short(d.old))
	case '+':
		return fmt.Sprintf("+ %s: %s", d.path, short(d.new))
	}
	return fmt.Sprintf("~ %s: %s -> %s", d.path, short(d.old), short(d.new))
}

// diff lists the differences between two values of JSON's types, keys in
// sorted order, array elements by index.
func diff(old, new any) []difference {
	var out []difference
	walkDiff("", old, new, &out)
	return out
}

func walkDiff(path string, old, new any, out *[]difference) {
	switch o := old.(type) {
	case map[string]any:
		n, ok := new.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(o)+len(n))
		for k := range o {
			keys = append(keys, k)
		}
		for k := range n {
			if _, dup := o[k]; !dup {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := join(path, k)
			ov, inOld := o[k]
			nv, inNew := n[k]
			switch {
			case !inNew:
				*out = append(*out, difference{op: '-', path: p, old: ov})
			case !inOld:
				*out = append(*out, difference{op: '+', path: p, new: nv})
			default:
				walkDiff(p, ov, nv, out)
			}
		}
		return
	case []any:
		n, ok := new.([]any)
		if !ok {
			break
		}
		for i := range max(len(o), len(n)) {
			p := path + "[" + strconv.Itoa(i) + "]"
			switch {
			case i >= len(n):
				*out = append(*out, difference{op: '-', path: p, old: o[i]})
			case i >= len(o):
				*out = append(*out, difference{op: '+', path: p, new: n[i]})
			default:
				walkDiff(p, o[i], n[i], out)
			}
		}
		return
	}
	if !equalJSON(old, new) {
		*out = append(*out, difference{op: '~', path: cmpPath(path), old: old, new: new})
	}
}

// equalJSON compares two leaf values (or a container with a value of
// another shape).
func equalJSON(a, b any) bool {
	ab, err1 := json.Marshal(a)
	bb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ab) == string(bb)
}

var identifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

// join appends a key to a path: .key when it reads as a name,
// ["key"] otherwise (paths["/users/{id}"]).
func join(path, key string) string {
	if identifier.MatchString(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func cmpPath(p string) string {
	if p == "" {
		return "(document)"
	}
	return p
}

// short renders a value in at most 60 characters.
func short(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return clip(string(b), 60)
}
