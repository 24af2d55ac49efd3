package mail

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText derives a plain-text body from an HTML one, simply: text
// content with paragraphs, line breaks and list items kept, links written
// as "label (url)", and head, style and script content dropped. It is the
// fallback when a mail template has no .txt part; write one when the text
// matters.
func HTMLToText(s string) string {
	var (
		b       strings.Builder
		skip    int // depth inside head, style, script...
		pre     int // depth inside pre
		hrefs   []string
		lastNL  = 2 // trailing new lines in b; 2 at start drops leading blanks
		pending bool
	)
	newlines := func(n int) {
		for lastNL < n {
			b.WriteByte('\n')
			lastNL++
		}
		pending = false
	}
	write := func(s string) {
		if s == "" {
			return
		}
		if pending && lastNL == 0 {
			b.WriteByte(' ')
		}
		pending = false
		b.WriteString(s)
		lastNL = 0
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF, or input too malformed to go on: keep what was read
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if skip > 0 {
				continue
			}
			if pre > 0 {
				write(tok.Data)
				if strings.HasSuffix(tok.Data, "\n") {
					lastNL = 1
				}
				continue
			}
			text := tok.Data
			lead := len(text) > 0 && isSpace(text[0])
			trail := len(text) > 0 && isSpace(text[len(text)-1])
			words := strings.Join(strings.Fields(text), " ")
			if lead && lastNL == 0 {
				pending = true
			}
			write(words)
			if trail && words != "" {
				pending = true
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.DataAtom {
			case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript:
				if tt == html.StartTagToken {
					skip++
				}
			case atom.Br:
				b.WriteByte('\n') // each <br> is a line break: <br><br> an empty line
				lastNL++
				pending = false
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Blockquote, atom.Ul, atom.Ol:
				newlines(2)
			case atom.Pre:
				newlines(2)
				pre++
			case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Center:
				newlines(1)
			case atom.Hr:
				newlines(1)
				write("----")
				newlines(1)
			case atom.Li:
				newlines(1)
				write("- ")
				lastNL = 0
			case atom.Td, atom.Th:
				pending = lastNL == 0
			case atom.A:
				hrefs = append(hrefs, attr(tok, "href"))
			case atom.Img:
				if alt := strings.TrimSpace(attr(tok, "alt")); alt != "" && skip == 0 {
					pending = pending || lastNL == 0
					write("[" + alt + "]")
				}
			}
		case html.EndTagToken:
			switch tok.DataAtom {
			case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript:
				if skip > 0 {
					skip--
				}
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Blockquote, atom.Ul, atom.Ol:
				newlines(2)
			case atom.Pre:
				if pre > 0 {
					pre--
				}
				newlines(2)
			case atom.Div, atom.Tr, atom.Li, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Center:
				newlines(1)
			case atom.A:
				if n := len(hrefs); n > 0 {
					href := hrefs[n-1]
					hrefs = hrefs[:n-1]
					shown := strings.TrimPrefix(href, "mailto:")
					if linkWorthShowing(href) && !strings.HasSuffix(b.String(), shown) {
						write(" (" + shown + ")")
					}
				}
			}
		}
	}
	return tidyText(b.String())
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func attr(tok html.Token, name string) string {
	for _, a := range tok.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func linkWorthShowing(href string) bool {
	h := strings.ToLower(href)
	return strings.HasPrefix(h, "http://") || strings.HasPrefix(h, "https://") || strings.HasPrefix(h, "mailto:")
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText trims trailing spaces of lines and runs of blank lines.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	s = strings.Join(lines, "\n")
	s = blankLines.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s) + "\n"
}
