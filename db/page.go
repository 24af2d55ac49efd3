package db

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/nexios-go/nexios"
)

// PageParams are the query parameters of offset pagination. Embed it in
// a typed handler's input: binding fills it and checks the ranges (a
// value that is not an integer, a page below 1 or a limit outside
// 1..DefaultMaxLimit is a 422 naming the parameter), and the OpenAPI
// document lists both parameters with the same bounds:
//
//	type ListUsers struct {
//		db.PageParams
//		Search string `query:"search"`
//	}
//
// The bounds are validate rules, so that what binding refuses is what
// the document forbids. Paginate checks the ranges again, against
// Query.MaxLimit, for callers that do not bind; an endpoint that allows
// larger pages declares its own limit parameter.
type PageParams struct {
	// Page is the 1-based page number.
	Page int `query:"page" default:"1" validate:"min=1" doc:"Page number, from 1."`
	// Limit is the number of items per page.
	Limit int `query:"limit" default:"20" validate:"min=1,max=100" doc:"Items per page."`
}

// ListParams are PageParams plus search and ordering, the parameters of a
// typical list endpoint (seed 001's GET /users).
type ListParams struct {
	PageParams
	// Search is a term to look for; see Query.Search.
	Search string `query:"search" doc:"Text to look for, case-insensitively."`
	// Sort is the field to sort by; see Query.OrderBy.
	Sort string `query:"sort" doc:"Field to sort by."`
	// Order is "asc" or "desc".
	Order string `query:"order" validate:"omitempty,oneof=asc desc" doc:"Sort direction."`
}

// Page is one page of an offset-paginated list, in the envelope seed 001
// answers with.
type Page[T any] struct {
	Items   []T   `json:"items"`
	Total   int64 `json:"total"`
	Page    int   `json:"page"`
	Pages   int64 `json:"pages"`
	HasNext bool  `json:"has_next"`
	HasPrev bool  `json:"has_prev"`
	// Limit is the page size the page was read with.
	Limit int `json:"-"`
}

// pageMath computes the page count and the offset of page, or reports
// that the page lies past the end. It cannot overflow: the offset is
// only computed for pages that exist, where it is below total.
func pageMath(total int64, page, limit int) (pages, offset int64, past bool) {
	l := int64(limit)
	pages = total / l
	if total%l != 0 {
		pages++
	}
	if int64(page) > pages {
		return pages, 0, true
	}
	return pages, (int64(page) - 1) * l, false
}

// checkPage validates page and limit as Paginate and Cursor do.
func checkPage(names ParamNames, page, limit, maxLimit int) error {
	var errs []nexios.FieldError
	if page < 1 {
		errs = append(errs, nexios.FieldError{Location: "query", Field: names.Page, Message: "must be at least 1", Rule: "min", Param: "1"})
	}
	if limit < 1 {
		errs = append(errs, nexios.FieldError{Location: "query", Field: names.Limit, Message: "must be at least 1", Rule: "min", Param: "1"})
	} else if limit > maxLimit {
		errs = append(errs, nexios.FieldError{Location: "query", Field: names.Limit, Message: fmt.Sprintf("must be at most %d", maxLimit), Rule: "max", Param: strconv.Itoa(maxLimit)})
	}
	if len(errs) > 0 {
		return &nexios.ValidationError{Errors: errs}
	}
	return nil
}

// Paginate returns page (1-based) of limit rows, with the total and page
// count. A page past the last is empty (page 9223372036854775807
// included); a page below 1 or a limit outside 1..MaxLimit is a 422
// naming the parameter. Rows are in the OrderBy order, ties broken by the
// primary key, so pages never overlap.
//
// The count and the page are two statements; outside a transaction a
// concurrent write can fall between them.
func (q *Query[T]) Paginate(page, limit int) (*Page[T], error) {
	if q.err != nil {
		return nil, q.err
	}
	if err := checkPage(q.params, page, limit, q.maxLimit); err != nil {
		return nil, err
	}
	total, err := q.Count()
	if err != nil {
		return nil, err
	}
	pages, offset, past := pageMath(total, page, limit)
	p := &Page[T]{Items: []T{}, Total: total, Page: page, Pages: pages, Limit: limit, HasPrev: page > 1, HasNext: int64(page) < pages}
	if past || total == 0 {
		return p, nil
	}
	s := q.ordered(q.base(&p.Items), true).Limit(int64(limit)).Offset(offset)
	if err := s.Scan(q.ctx); err != nil {
		return nil, q.d.mapErrorFor(err, opRead, q.m.table)
	}
	return p, nil
}

// Links returns the RFC 8288 Link header value of the page: first, prev,
// next and last links built from u (the request URL) with its page and
// limit parameters replaced (names from PageParams; pass others to
// LinksNamed).
func (p *Page[T]) Links(u *url.URL) string { return p.LinksNamed(u, "page", "limit") }

// LinksNamed is Links for parameters named pageParam and limitParam.
func (p *Page[T]) LinksNamed(u *url.URL, pageParam, limitParam string) string {
	link := func(page int64, rel string) string {
		q := u.Query()
		q.Set(pageParam, strconv.FormatInt(page, 10))
		q.Set(limitParam, strconv.Itoa(p.Limit))
		v := url.URL{Path: u.Path, RawQuery: q.Encode()}
		return "<" + v.String() + `>; rel="` + rel + `"`
	}
	last := max(p.Pages, 1)
	links := []string{link(1, "first")}
	if p.HasPrev {
		links = append(links, link(min(int64(p.Page)-1, last), "prev"))
	}
	if p.HasNext {
		links = append(links, link(int64(p.Page)+1, "next"))
	}
	links = append(links, link(last, "last"))
	return strings.Join(links, ", ")
}

// SetLinks sets the Link header of res for the page of the request req.
func (p *Page[T]) SetLinks(req *nexios.Request, res *nexios.Response) {
	res.Header().Set("Link", p.Links(req.URL()))
}
