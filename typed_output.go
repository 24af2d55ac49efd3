package nexios

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// outputPlan says how a typed handler's Out becomes a response: which
// fields are the status and headers rather than body. It is computed once
// per Out type, at registration.
type outputPlan struct {
	noContent bool // Out is struct{}: 204
	status    []int
	headers   []outputHeader
}

type outputHeader struct {
	name  string
	index []int
	kind  headerKind
}

type headerKind uint8

const (
	headerString headerKind = iota
	headerStrings
	headerInt
	headerUint
	headerCookie
	headerCookiePtr
	headerCookies
)

var (
	cookieType     = reflect.TypeFor[http.Cookie]()
	cookiePtrType  = reflect.TypeFor[*http.Cookie]()
	cookiesType    = reflect.TypeFor[[]*http.Cookie]()
	stringsType    = reflect.TypeFor[[]string]()
	emptyStructTyp = reflect.TypeFor[struct{}]()
)

func (p *outputPlan) hasMeta() bool { return p.status != nil || len(p.headers) > 0 }

// OutputHeaders lists the response headers a typed handler's Out type
// declares (fields tagged header:"Name"), for documentation generators.
func OutputHeaders(t reflect.Type) []string {
	p, err := planOutput(t)
	if err != nil {
		return nil
	}
	names := make([]string, len(p.headers))
	for i, h := range p.headers {
		names[i] = h.name
	}
	return names
}

func mustPlanOutput(t reflect.Type) *outputPlan {
	p, err := planOutput(t)
	if err != nil {
		panic(err)
	}
	return p
}

// planOutput reads the metadata fields of an Out struct.
func planOutput(t reflect.Type) (*outputPlan, error) {
	p := &outputPlan{noContent: t == emptyStructTyp}
	if t.Kind() != reflect.Struct {
		return p, nil
	}
	for _, f := range reflect.VisibleFields(t) {
		hname, isHeader := f.Tag.Lookup("header")
		_, isStatus := f.Tag.Lookup("status")
		jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		// A header-tagged field that is part of the body is an input field
		// (In and Out are often one type): only json:"-" ones are output
		// headers.
		if isHeader && jsonName != "-" {
			isHeader = false
		}
		if !isHeader && !isStatus {
			continue
		}
		if !f.IsExported() {
			return nil, fmt.Errorf("nexios: typed output %s: field %s carries response metadata but is not exported", t, f.Name)
		}
		if jsonName != "-" {
			return nil, fmt.Errorf("nexios: typed output %s: field %s is response metadata; tag it json:\"-\" so it is not also sent in the body", t, f.Name)
		}
		if isStatus {
			if f.Type.Kind() != reflect.Int {
				return nil, fmt.Errorf("nexios: typed output %s: status field %s must be an int", t, f.Name)
			}
			p.status = f.Index
			continue
		}
		h := outputHeader{name: http.CanonicalHeaderKey(hname), index: f.Index}
		switch {
		case hname == "":
			return nil, fmt.Errorf("nexios: typed output %s: field %s: header tag needs a name", t, f.Name)
		case f.Type == cookieType:
			h.kind = headerCookie
		case f.Type == cookiePtrType:
			h.kind = headerCookiePtr
		case f.Type == cookiesType:
			h.kind = headerCookies
		case f.Type.Kind() == reflect.String:
			h.kind = headerString
		case f.Type == stringsType:
			h.kind = headerStrings
		case f.Type.Kind() >= reflect.Int && f.Type.Kind() <= reflect.Int64:
			h.kind = headerInt
		case f.Type.Kind() >= reflect.Uint && f.Type.Kind() <= reflect.Uint64:
			h.kind = headerUint
		default:
			return nil, fmt.Errorf("nexios: typed output %s: header field %s has unsupported type %s", t, f.Name, f.Type)
		}
		if (h.kind == headerCookie || h.kind == headerCookiePtr || h.kind == headerCookies) && h.name != "Set-Cookie" {
			return nil, fmt.Errorf("nexios: typed output %s: cookie field %s must be tagged header:\"Set-Cookie\"", t, f.Name)
		}
		p.headers = append(p.headers, h)
	}
	return p, nil
}

// apply sends the metadata fields of out (a struct value) and returns the
// status to answer with.
func (p *outputPlan) apply(res *Response, out reflect.Value, status int) (int, error) {
	if p.status != nil {
		if s := int(out.FieldByIndex(p.status).Int()); s != 0 {
			status = s
		}
	}
	h := res.Header()
	for _, f := range p.headers {
		v := out.FieldByIndex(f.index)
		switch f.kind {
		case headerString:
			if s := v.String(); s != "" {
				h.Set(f.name, s)
			}
		case headerStrings:
			for _, s := range v.Interface().([]string) {
				h.Add(f.name, s)
			}
		case headerInt:
			h.Set(f.name, strconv.FormatInt(v.Int(), 10))
		case headerUint:
			h.Set(f.name, strconv.FormatUint(v.Uint(), 10))
		case headerCookie:
			if c := v.Interface().(http.Cookie); c.Name != "" {
				if err := res.SetCookie(&c); err != nil {
					return 0, err
				}
			}
		case headerCookiePtr:
			if c, _ := v.Interface().(*http.Cookie); c != nil {
				if err := res.SetCookie(c); err != nil {
					return 0, err
				}
			}
		case headerCookies:
			for _, c := range v.Interface().([]*http.Cookie) {
				if c == nil {
					continue
				}
				if err := res.SetCookie(c); err != nil {
					return 0, err
				}
			}
		}
	}
	return status, nil
}
