// Package curltest runs the curl lines of an example's documentation
// against the example's app, so that the commands a reader copies work:
// a JSON body sent without Content-Type (a 422) fails the test.
//
// It understands the small subset of shell the examples use, one command
// per line:
//
//	curl [-s] [-S] [-i] [-o FILE] [-c JAR] [-b JAR] [-X METHOD] [-H 'Name: value']... [-d 'body'] URL  # expectation
//	NAME=$(curl ... | jq -r .field)
//
// Single quotes are literal; $NAME and ${NAME} expand outside them, from
// earlier NAME=$(…) lines. -b sends the cookies of the jar, -c stores the
// response's cookies in it (one jar per run, whatever its file name).
// The comment after # is the expectation: a leading status ("401 …") is
// compared with the response's status, else the status must be 2xx; text
// after the status (or the whole comment) that starts with { or [ must
// appear in the body.
package curltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Lines returns the curl lines of a Go file's comments: code lines of a
// doc comment ("//" and a tab) that run curl.
func Lines(source string) []string {
	var out []string
	for _, l := range strings.Split(source, "\n") {
		l, ok := strings.CutPrefix(strings.TrimSpace(l), "//\t")
		if !ok {
			continue
		}
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "curl ") || assignCurlRe.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

var assignCurlRe = regexp.MustCompile(`^\w+=\$\(curl `)

var assignRe = regexp.MustCompile(`^(\w+)=\$\((.*)\)\s*(#.*)?$`)

// Run runs the curl lines of source, in order, against the app client c
// (a client whose transport serves the app; it must not keep cookies).
// It fails the test at the first line whose response does not match.
func Run(t *testing.T, source string, c *http.Client) {
	t.Helper()
	lines := Lines(source)
	if len(lines) == 0 {
		t.Fatal("curltest: no curl lines in the source")
	}
	jar, _ := cookiejar.New(nil)
	vars := map[string]string{}
	for _, line := range lines {
		assign, jq := "", ""
		cmd := line
		if m := assignRe.FindStringSubmatch(line); m != nil {
			assign, cmd = m[1], m[2]
			if m[3] != "" {
				cmd += " " + m[3]
			}
			if before, after, ok := strings.Cut(cmd, "| jq -r "); ok {
				cmd, jq = before, strings.TrimSpace(after)
			}
		}
		words, comment, err := split(cmd, vars)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		status, body, err := do(c, jar, words)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if err := expect(comment, status, body); err != nil {
			t.Fatalf("%s\n  got %d %s\n  %v", line, status, body, err)
		}
		if assign != "" {
			v, err := jqField(body, jq)
			if err != nil {
				t.Fatalf("%s: %v (body %s)", line, err, body)
			}
			vars[assign] = v
		}
	}
}

// split splits a command line into words, expanding variables, and
// returns the comment.
func split(s string, vars map[string]string) (words []string, comment string, err error) {
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == ' ' || ch == '\t':
			flush()
		case ch == '#' && !inWord:
			return words, strings.TrimSpace(s[i+1:]), nil
		case ch == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			inWord, i = true, i+1+j
		case ch == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, "", fmt.Errorf("unterminated double quote")
			}
			cur.WriteString(expand(s[i+1:i+1+j], vars))
			inWord, i = true, i+1+j
		case ch == '$':
			name, n := varName(s[i+1:])
			cur.WriteString(vars[name])
			inWord, i = true, i+n
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	flush()
	return words, "", nil
}

// varName reads NAME or {NAME} and returns it with the length read.
func varName(s string) (string, int) {
	if strings.HasPrefix(s, "{") {
		if j := strings.IndexByte(s, '}'); j > 0 {
			return s[1:j], j + 1
		}
	}
	n := 0
	for n < len(s) && (s[n] == '_' || s[n] >= 'A' && s[n] <= 'Z' || s[n] >= 'a' && s[n] <= 'z' || s[n] >= '0' && s[n] <= '9') {
		n++
	}
	return s[:n], n
}

func expand(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' {
			name, n := varName(s[i+1:])
			b.WriteString(vars[name])
			i += n
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// do sends the request curl would send for words.
func do(c *http.Client, jar *cookiejar.Jar, words []string) (int, string, error) {
	if len(words) == 0 || words[0] != "curl" {
		return 0, "", fmt.Errorf("not a curl command: %q", words)
	}
	method, url, data := "", "", ""
	var hasData, sendCookies, keepCookies bool
	header := http.Header{}
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s needs an argument", w)
			}
			i++
			return words[i], nil
		}
		var err error
		switch {
		case w == "-X":
			method, err = arg()
		case w == "-H":
			var h string
			if h, err = arg(); err == nil {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return 0, "", fmt.Errorf("bad header %q", h)
				}
				header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		case w == "-d" || w == "--data":
			data, err = arg()
			hasData = true
		case w == "-b":
			_, err = arg()
			sendCookies = true
		case w == "-c":
			_, err = arg()
			keepCookies = true
		case w == "-o":
			_, err = arg()
		case strings.HasPrefix(w, "-"):
			for _, f := range w[1:] { // -s, -S, -i, -si
				if !strings.ContainsRune("sSi", f) {
					return 0, "", fmt.Errorf("unsupported curl flag %s", w)
				}
			}
		default:
			url = w
		}
		if err != nil {
			return 0, "", err
		}
	}
	if method == "" {
		method = http.MethodGet
		if hasData {
			method = http.MethodPost
		}
	}
	var body io.Reader
	if hasData {
		body = strings.NewReader(data)
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", "application/x-www-form-urlencoded") // what curl -d sends
		}
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return 0, "", err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if sendCookies {
		for _, ck := range jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", err
	}
	if keepCookies {
		jar.SetCookies(req.URL, res.Cookies())
	}
	return res.StatusCode, strings.TrimSpace(string(b)), nil
}

// expect checks a response against a line's comment.
func expect(comment string, status int, body string) error {
	want := 0
	rest := comment
	if len(comment) >= 3 {
		if n, err := strconv.Atoi(comment[:3]); err == nil {
			want, rest = n, strings.TrimSpace(comment[3:])
		}
	}
	switch {
	case want != 0 && status != want:
		return fmt.Errorf("want status %d", want)
	case want == 0 && (status < 200 || status > 299):
		return fmt.Errorf("want a 2xx status")
	}
	if i := strings.IndexAny(rest, "{["); i == 0 {
		end := strings.LastIndexAny(rest, "}]")
		if end < 0 || !strings.Contains(body, rest[:end+1]) {
			return fmt.Errorf("want the body to contain %s", rest)
		}
	}
	return nil
}

// jqField evaluates "jq -r .name" on a JSON object.
func jqField(body, path string) (string, error) {
	if !strings.HasPrefix(path, ".") {
		return "", fmt.Errorf("unsupported jq program %q", path)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return "", err
	}
	v, ok := m[path[1:]].(string)
	if !ok {
		return "", fmt.Errorf("no string field %s", path)
	}
	return v, nil
}
