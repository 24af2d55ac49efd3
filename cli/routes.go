package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/websocket"
)

// RouteInfo is one row of `routes` (and an element of `routes --json`).
type RouteInfo struct {
	Methods []string `json:"methods"`
	Pattern string   `json:"pattern"`
	Name    string   `json:"name,omitempty"`
	Summary string   `json:"summary,omitempty"`
	// Middleware names the middleware that run around the handler,
	// outermost first, after the function that made each one ("cors",
	// "ratelimit", "auth.Require").
	Middleware    []string `json:"middleware"`
	Authenticated bool     `json:"authenticated"`
	Scopes        []string `json:"scopes,omitempty"`
	WebSocket     bool     `json:"websocket"`
	Mount         bool     `json:"mount"`
}

// Routes describes the routes of app, sorted by pattern then method.
func Routes(app *nexios.App) []RouteInfo {
	var out []RouteInfo
	for _, rt := range app.Routes() {
		doc := rt.Doc()
		info := RouteInfo{
			Methods: rt.Methods(), Pattern: rt.Pattern(), Name: rt.Name(), Summary: doc.Summary,
			Middleware: []string{}, Authenticated: doc.Authenticated, Scopes: doc.Scopes,
			WebSocket: websocket.IsRoute(rt), Mount: rt.IsMount(),
		}
		for _, mw := range rt.Middleware() {
			info.Middleware = append(info.Middleware, MiddlewareName(mw))
		}
		out = append(out, info)
	}
	slices.SortStableFunc(out, func(a, b RouteInfo) int {
		return cmp.Or(strings.Compare(a.Pattern, b.Pattern), strings.Compare(strings.Join(a.Methods, ","), strings.Join(b.Methods, ",")))
	})
	return out
}

var (
	closureSuffix = regexp.MustCompile(`(\.func\d+|\.gowrap\d+|\.\d+)+$`)
	typeParams    = regexp.MustCompile(`\[[^\]]*\]`)
	receiver      = regexp.MustCompile(`^\(\*?[^)]*\)\.`)
)

// MiddlewareName names a middleware after the code that made it: the
// package alone for a constructor named New or a library's unexported
// closure or method ("cors", "ratelimit"), package and function for
// another exported constructor ("auth.Require"), a plain function or a
// function of package main ("main.timing", "main.requireToken").
func MiddlewareName(mw nexios.Middleware) string {
	if mw == nil {
		return "nil"
	}
	fn := runtime.FuncForPC(reflect.ValueOf(mw).Pointer())
	if fn == nil {
		return "?"
	}
	full := fn.Name() // github.com/nexios-go/nexios/middleware/cors.New.func1
	rest := full
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		rest = rest[i+1:] // cors.New.func1
	}
	pkg, rest, _ := strings.Cut(typeParams.ReplaceAllString(rest, ""), ".")
	method := strings.HasSuffix(rest, "-fm") // a method value: (*cors).middleware-fm
	rest = strings.TrimSuffix(rest, "-fm")
	stripped := closureSuffix.ReplaceAllString(rest, "")
	closure := stripped != rest
	syms := strings.Split(receiver.ReplaceAllString(stripped, ""), ".")
	if closure && len(syms) > 1 {
		// The closure of a function inlined into its caller is named
		// after the caller's package: its source file says where it
		// was written.
		if file, _ := fn.FileLine(fn.Entry()); filepath.IsAbs(file) {
			pkg, _, _ = strings.Cut(filepath.Base(filepath.Dir(file)), "@")
		}
	}
	sym := syms[len(syms)-1]
	// In a library an unexported closure is a detail; in a program's
	// main package its function is the only name there is.
	if method || sym == "" || sym == "New" || (closure && !isExported(sym) && pkg != "main") {
		return pkg
	}
	return pkg + "." + sym
}

func isExported(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	return unicode.IsUpper(r)
}

func (p *program) routesCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "routes",
		Short: "List the routes: method, pattern, name, summary, middleware and auth",
		Long: `List the app's routes, sorted by pattern: method (WS for a WebSocket route,
* for a mounted handler), pattern, name, summary, the middleware that run
around the handler (named after the package or function that made them;
those that every route has are listed once above the table) and the auth
the route demands (auth, or auth:scope,… when it needs scopes).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			routes := Routes(p.app)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(routes)
			}
			return writeRoutes(cmd.OutOrStdout(), routes)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON, every middleware listed on every route")
	return cmd
}

// writeRoutes prints the table, the middleware every route has on one
// line above it.
func writeRoutes(w io.Writer, routes []RouteInfo) error {
	if len(routes) == 0 {
		_, err := fmt.Fprintln(w, "No routes.")
		return err
	}
	common := commonPrefix(routes)
	if len(common) > 0 {
		fmt.Fprintf(w, "Every route: %s\n\n", strings.Join(common, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATTERN\tNAME\tSUMMARY\tMIDDLEWARE\tAUTH")
	for _, r := range routes {
		method := strings.Join(r.Methods, ",")
		if r.WebSocket {
			method = "WS"
		}
		auth := "-"
		if r.Authenticated {
			auth = "auth"
			if len(r.Scopes) > 0 {
				auth += ":" + strings.Join(r.Scopes, ",")
			}
		}
		summary := r.Summary
		if r.Mount {
			summary = cmp.Or(summary, "(mounted handler)")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", method, r.Pattern, dash(r.Name), dash(clip(summary, 48)),
			dash(strings.Join(r.Middleware[len(common):], ", ")), auth)
	}
	return tw.Flush()
}

// commonPrefix is the middleware every route starts with: the app's.
func commonPrefix(routes []RouteInfo) []string {
	prefix := routes[0].Middleware
	for _, r := range routes[1:] {
		n := 0
		for n < len(prefix) && n < len(r.Middleware) && prefix[n] == r.Middleware[n] {
			n++
		}
		prefix = prefix[:n]
	}
	return prefix
}

func dash(s string) string { return cmp.Or(s, "-") }

// clip shortens s to n runes, for a table cell.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
