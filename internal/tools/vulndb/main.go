// Command vulndb builds a local Go vulnerability database for
// govulncheck -db file:///DIR from the OSV files of the golang.org/x/vulndb
// module, which the Go module proxy serves: CI machines that cannot reach
// vuln.go.dev still check the dependencies against a recent database.
//
//	go run ./internal/tools/vulndb -src $(go env GOMODCACHE)/golang.org/x/vulndb@VERSION/data/osv -out /tmp/vulndb
//	govulncheck -db file:///tmp/vulndb -format json ./... > vuln.json
//	go run ./internal/tools/vulndb -report vuln.json
//
// With -report it reads govulncheck's JSON output and fails (exit 1) when
// the code calls a vulnerable function of a required module. Findings in
// the standard library are printed as warnings: they belong to the Go
// toolchain that builds the code, which its user upgrades, not to the
// project's dependencies.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// entry is the part of an OSV record the index needs.
type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases"`
	Affected []struct {
		Module struct {
			Path string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

func main() {
	src := flag.String("src", "", "directory of OSV .json files (golang.org/x/vulndb/data/osv)")
	out := flag.String("out", "", "directory to write the database to")
	report := flag.String("report", "", "govulncheck -format json output to summarise")
	flag.Parse()
	if *report != "" {
		failed, err := summarise(*report)
		if err != nil {
			log.Fatal(err)
		}
		if failed {
			os.Exit(1)
		}
		return
	}
	if *src == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := build(*src, *out); err != nil {
		log.Fatal(err)
	}
}

func build(src, out string) error {
	files, err := filepath.Glob(filepath.Join(src, "GO-*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no OSV files in %s", src)
	}
	if err := os.MkdirAll(filepath.Join(out, "ID"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "index"), 0o755); err != nil {
		return err
	}
	modules := map[string][]moduleVuln{}
	var vulns []vuln
	var newest time.Time
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if e.Modified.After(newest) {
			newest = e.Modified
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		seen := map[string]bool{}
		for _, a := range e.Affected {
			if p := a.Module.Path; p != "" && !seen[p] {
				seen[p] = true
				modules[p] = append(modules[p], moduleVuln{ID: e.ID, Modified: e.Modified})
			}
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return err
		}
	}
	var mods []module
	for p, vs := range modules {
		mods = append(mods, module{Path: p, Vulns: vs})
	}
	slices.SortFunc(mods, func(a, b module) int { return strings.Compare(a.Path, b.Path) })
	slices.SortFunc(vulns, func(a, b vuln) int { return strings.Compare(a.ID, b.ID) })
	if newest.IsZero() {
		newest = time.Now().UTC()
	}
	for name, v := range map[string]any{
		"db.json":      map[string]time.Time{"modified": newest},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, "index", name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("vulndb: %d entries, %d modules\n", len(vulns), len(mods))
	return nil
}

// finding is one govulncheck finding.
type finding struct {
	OSV          string `json:"osv"`
	FixedVersion string `json:"fixed_version"`
	Trace        []struct {
		Module   string `json:"module"`
		Version  string `json:"version"`
		Package  string `json:"package"`
		Function string `json:"function"`
	} `json:"trace"`
}

// summarise prints the called vulnerabilities and reports whether one is
// in a required module.
func summarise(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	called := map[string]finding{}
	for {
		var msg struct {
			Finding *finding `json:"finding"`
		}
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return false, fmt.Errorf("reading %s: %w", path, err)
		}
		if fd := msg.Finding; fd != nil && len(fd.Trace) > 0 && fd.Trace[0].Function != "" {
			called[fd.OSV] = *fd
		}
	}
	failed := false
	ids := make([]string, 0, len(called))
	for id := range called {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		fd := called[id]
		top := fd.Trace[0]
		if top.Module == "stdlib" || top.Module == "toolchain" {
			fmt.Printf("warning: %s in the Go toolchain's %s (%s): fixed in Go %s\n", id, top.Package, top.Version, fd.FixedVersion)
			continue
		}
		failed = true
		fmt.Printf("VULNERABLE: %s in %s@%s (%s.%s): fixed in %s\n", id, top.Module, top.Version, top.Package, top.Function, fd.FixedVersion)
	}
	if !failed {
		fmt.Printf("govulncheck: no called vulnerability in the project's dependencies (%d toolchain warnings)\n", len(ids))
	}
	return failed, nil
}
