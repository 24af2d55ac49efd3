package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nexios-go/nexios/testclient"
)

type pingFlags struct {
	method  string
	data    string
	headers []string
	url     string
	include bool
	timeout time.Duration
}

func (p *program) pingCommand() *cobra.Command {
	f := &pingFlags{}
	cmd := &cobra.Command{
		Use:   "ping PATH",
		Short: "Send a request through the app (in process) and print the answer",
		Long: `Send one request to PATH and print the status line and the body (with -i,
the headers too). The request goes through the app in process — its start-up
hooks run first and its shutdown hooks after — so nothing needs to listen;
with --url it goes to a running server instead (a container health check:
app ping /healthz --url http://127.0.0.1:5000). Exits 1 when the status is
4xx or 5xx.`,
		Example: "  app ping /healthz\n  app ping -X POST -d '{\"name\":\"ada\"}' -H 'Content-Type: application/json' /users",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return p.ping(cmd, f, args[0])
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.method, "method", "X", http.MethodGet, "request method")
	fl.StringVarP(&f.data, "data", "d", "", "request body")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "request header `Name: value` (repeat for more)")
	fl.StringVar(&f.url, "url", "", "base `URL` of a running server to ping instead of the app in process")
	fl.BoolVarP(&f.include, "include", "i", false, "print the response headers")
	fl.DurationVar(&f.timeout, "timeout", waitTimeout, "time the request may take")
	return cmd
}

func (p *program) ping(cmd *cobra.Command, f *pingFlags, path string) error {
	if !strings.HasPrefix(path, "/") {
		return usageError{fmt.Errorf("PATH %q must start with /", path)}
	}
	header := http.Header{}
	for _, h := range f.headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return usageError{fmt.Errorf("--header %q: want \"Name: value\"", h)}
		}
		header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), f.timeout)
	defer cancel()

	var client *http.Client
	base := testclient.DefaultBaseURL
	if f.url != "" {
		u, err := url.Parse(f.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError{fmt.Errorf("--url %q: want an http or https URL", f.url)}
		}
		base = strings.TrimSuffix(f.url, "/")
		client = &http.Client{}
	} else {
		if err := p.app.Startup(ctx); err != nil {
			return err
		}
		defer func() {
			sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), waitTimeout)
			defer scancel()
			if err := p.app.Shutdown(sctx); err != nil {
				p.app.Logger().Warn("ping: shutting the app down", "error", err)
			}
		}()
		client = testclient.New(p.app, testclient.WithoutRedirects(), testclient.WithRemoteAddr("127.0.0.1:1")).HTTPClient()
	}
	var body io.Reader
	if f.data != "" {
		body = strings.NewReader(f.data)
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(f.method), base+path, body)
	if err != nil {
		return usageError{err}
	}
	req.Header = header
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "nexios-ping")
	}
	if f.url != "" {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, path, err)
	}
	defer res.Body.Close()
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%s %s\n", res.Proto, res.Status)
	if f.include {
		if err := res.Header.Write(out); err != nil {
			return err
		}
		fmt.Fprintln(out)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("reading the response: %w", err)
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	if _, err := out.Write(b); err != nil {
		return err
	}
	if res.StatusCode >= 400 {
		return fmt.Errorf("%s %s answered %s", req.Method, path, res.Status)
	}
	return nil
}
