package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v2"

	"github.com/nexios-go/nexios/openapi"
)

// errDrift is the error of `openapi --check` when the file differs.
var errDrift = errors.New("the OpenAPI document has drifted from the file")

type openapiFlags struct {
	yaml    bool
	out     string
	version string
	check   string
}

func (p *program) openapiCommand() *cobra.Command {
	f := &openapiFlags{}
	cmd := &cobra.Command{
		Use:   "openapi",
		Short: "Export the OpenAPI document, or check a file against it (--check)",
		Long: `Print the app's OpenAPI document — as the app serves it, with the
configuration given to openapi.Register — as JSON or YAML, in version 3.1 or
3.0 (a downgrade for older tools), to standard output or --out FILE.

--check FILE compares FILE (JSON or YAML, 3.1 or 3.0, as its name and content
say) with the document the app would generate now, and fails listing the
differences when they differ: run it in CI so that a committed document
cannot drift from the code.`,
		Example: "  app openapi --out openapi.json\n  app openapi --yaml --version 3.0\n  app openapi --check openapi.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.version != "" && f.version != "3.1" && f.version != "3.0" {
				return usageError{fmt.Errorf(`--version %q: want "3.1" or "3.0"`, f.version)}
			}
			if f.check != "" {
				if f.out != "" {
					return usageError{errors.New("--check and --out do not go together")}
				}
				return p.checkOpenAPI(cmd, f)
			}
			doc, err := p.document(f.version == "3.0", f.yaml)
			if err != nil {
				return err
			}
			if f.out == "" {
				_, err = cmd.OutOrStdout().Write(doc)
				return err
			}
			if err := os.WriteFile(f.out, doc, 0o644); err != nil {
				return fmt.Errorf("writing the document: %w", err)
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", f.out)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.yaml, "yaml", false, "print YAML instead of JSON")
	fl.StringVar(&f.out, "out", "", "write to `FILE` instead of standard output")
	fl.StringVar(&f.version, "version", "", `OpenAPI version: "3.1" (default) or "3.0"`)
	fl.StringVar(&f.check, "check", "", "compare `FILE` with the current document; exit 1 listing the differences")
	return cmd
}

// document generates the app's document.
func (p *program) document(v30, asYAML bool) ([]byte, error) {
	cfg, _ := openapi.Registered(p.app)
	switch {
	case !v30 && asYAML:
		return openapi.BuildYAML(p.app, cfg)
	case !v30:
		return openapi.Build(p.app, cfg)
	}
	b, err := openapi.Build30(p.app, cfg)
	if err != nil || !asYAML {
		return b, err
	}
	return jsonToYAML(b)
}

// checkOpenAPI compares the file with the document.
func (p *program) checkOpenAPI(cmd *cobra.Command, f *openapiFlags) error {
	raw, err := os.ReadFile(f.check)
	if err != nil {
		return fmt.Errorf("reading the document to check: %w", err)
	}
	file, err := decodeDocument(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", f.check, err)
	}
	v30 := f.version == "3.0"
	if f.version == "" {
		m, _ := file.(map[string]any)
		v, _ := m["openapi"].(string)
		v30 = strings.HasPrefix(v, "3.0")
	}
	b, err := p.document(v30, false)
	if err != nil {
		return err
	}
	var current any
	if err := json.Unmarshal(b, &current); err != nil {
		return fmt.Errorf("decoding the generated document: %w", err)
	}
	diffs := diff(file, current)
	out := cmd.OutOrStdout()
	if len(diffs) == 0 {
		fmt.Fprintf(out, "%s is up to date.\n", f.check)
		return nil
	}
	fmt.Fprintf(out, "%s differs from the app's document (%d %s; - in the file, + in the app):\n", f.check, len(diffs), plural(len(diffs), "difference", "differences"))
	writeDiffs(out, diffs, 50)
	args := "--out " + f.check
	if isYAMLName(f.check) {
		args = "--yaml " + args
	}
	if v30 {
		args = "--version 3.0 " + args
	}
	fmt.Fprintf(out, "Update the file with: %s openapi %s\n", cmd.Root().Name(), args)
	return errDrift
}

// decodeDocument parses a JSON or YAML document (JSON when it starts
// with "{") into JSON's types: map[string]any, []any, float64, string,
// bool, nil.
func decodeDocument(raw []byte) (any, error) {
	var v any
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("not a JSON document: %w", err)
		}
		return v, nil
	}
	var y any
	if err := yaml.Unmarshal(raw, &y); err != nil {
		return nil, fmt.Errorf("not a YAML document: %w", err)
	}
	// Through JSON, so numbers and maps have JSON's types.
	b, err := json.Marshal(jsonTypes(y))
	if err != nil {
		return nil, fmt.Errorf("not a JSON-compatible YAML document: %w", err)
	}
	err = json.Unmarshal(b, &v)
	return v, err
}

func isYAMLName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// jsonTypes turns YAML's map[any]any into map[string]any, recursively.
func jsonTypes(v any) any {
	switch x := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, val := range x {
			m[fmt.Sprint(k)] = jsonTypes(val)
		}
		return m
	case []any:
		for i := range x {
			x[i] = jsonTypes(x[i])
		}
	}
	return v
}

// jsonToYAML converts a JSON document to YAML, keeping the order of keys.
func jsonToYAML(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := orderedValue(dec)
	if err != nil {
		return nil, fmt.Errorf("converting the document to YAML: %w", err)
	}
	return yaml.Marshal(v)
}

// orderedValue reads one JSON value, objects as yaml.MapSlice.
func orderedValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var m yaml.MapSlice
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := orderedValue(dec)
				if err != nil {
					return nil, err
				}
				m = append(m, yaml.MapItem{Key: k, Value: v})
			}
			_, err := dec.Token() // }
			if m == nil {
				return map[string]any{}, err
			}
			return m, err
		case '[':
			list := []any{}
			for dec.More() {
				v, err := orderedValue(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := dec.Token() // ]
			return list, err
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i, nil
		}
		return t.Float64()
	}
	return tok, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// writeDiffs prints at most limit differences.
func writeDiffs(w io.Writer, diffs []difference, limit int) {
	for i, d := range diffs {
		if i == limit {
			fmt.Fprintf(w, "  … and %d more\n", len(diffs)-limit)
			return
		}
		fmt.Fprintf(w, "  %s\n", d)
	}
}
