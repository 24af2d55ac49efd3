package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/cmd/nexios/internal/devserver"
	"github.com/nexios-go/nexios/cmd/nexios/internal/localmod"
	"github.com/nexios-go/nexios/cmd/nexios/internal/scaffold"
)

// BenchmarkEditToServing measures nexios dev: from the moment a source
// file is saved to the first response of the rebuilt, restarted app
// through the dev server's proxy. "starter" is the project nexios new
// writes (with this checkout); "stdlib" is a one-file net/http app, whose
// figure is the dev server's own share. Each iteration edits a literal
// the app serves (the starter's version, in /openapi.json; the stdlib
// app's /healthz answer); quote the median, reported as ms/edit-median
// (with the p90 and the fastest). Run it with scripts/bench-dev.sh.
func BenchmarkEditToServing(b *testing.B) {
	for k, v := range map[string]string{"GOFLAGS": "-mod=mod -buildvcs=false", "GOPROXY": "off", "GOSUMDB": "off", "GOWORK": "off"} {
		b.Setenv(k, v)
	}
	b.Run("starter", func(b *testing.B) {
		checkout := localmod.Find()
		if checkout == "" {
			b.Fatal("cannot tell the checkout this benchmark was built from")
		}
		c, err := localmod.Open(checkout)
		if err != nil {
			b.Fatal(err)
		}
		project, err := scaffold.New(context.Background(), scaffold.Options{Name: "bench", Dir: b.TempDir(), Checkout: c, Tidy: true})
		if err != nil {
			b.Fatal(err)
		}
		editToServing(b, project, filepath.Join(project, "app", "app.go"), "/openapi.json", "Version")
	})
	b.Run("stdlib", func(b *testing.B) {
		dir := b.TempDir()
		for name, content := range map[string]string{"go.mod": "module tiny\n\ngo 1.26\n", "main.go": stdlibApp} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		editToServing(b, dir, filepath.Join(dir, "main.go"), "/healthz", "Status")
	})
}

// stdlibApp is the smallest app with a JSON health answer.
const stdlibApp = `package main

import (
	"encoding/json"
	"net/http"
	"os"
)

type health struct {
	Status string ` + "`json:\"status\"`" + `
}

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(&health{Status: "ok"})
	})
	panic(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
`

// editToServing runs nexios dev on project and times b.N edits of the
// string literal of the field named field in file (Field: "…"), each
// served once path answers the new value.
func editToServing(b *testing.B, project, file, path, field string) {
	srv, err := devserver.New(devserver.Config{Dir: project, Addr: "127.0.0.1:0", Output: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	defer func() { stop(); <-done }()
	url := "http://" + srv.Addr() + path
	literal := regexp.MustCompile(field + `: "[^"]*"`)
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	first := literal.Find(src)
	if first == nil {
		b.Fatalf("%s has no %s literal", file, field)
	}
	// The first build may compile everything.
	waitBody(b, url, strings.TrimPrefix(string(first), field+": "), 5*time.Minute)

	var took []time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		time.Sleep(300 * time.Millisecond) // let the previous restart settle
		want := fmt.Sprintf("ok-%d-%d", i, rand.IntN(1e6))
		edited := literal.ReplaceAll(src, []byte(field+`: "`+want+`"`))
		b.StartTimer()
		began := time.Now()
		if err := os.WriteFile(file, edited, 0o644); err != nil {
			b.Fatal(err)
		}
		waitBody(b, url, want, time.Minute)
		took = append(took, time.Since(began))
	}
	b.StopTimer()
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), "ms/edit-median")
	b.ReportMetric(ms(took[(len(took)*9)/10]), "ms/edit-p90")
	b.ReportMetric(ms(took[0]), "ms/edit-min")
}

// waitBody polls url until its body contains want.
func waitBody(b *testing.B, url, want string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		res, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if strings.Contains(string(body), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s never answered %q", url, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
