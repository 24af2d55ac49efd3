package resource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nexios-go/nexios/db"
)

func TestParseField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		arg, kind, tags, rules  string
		unique, index, optional bool
	}{
		{"title", "string", `bun:"title,notnull" json:"title"`, "required,max=255", false, false, false},
		{"title:string:unique", "string", `bun:"title,notnull,unique" json:"title"`, "required,max=255", true, false, false},
		{"body:text", "text", `bun:"body,type:text,notnull" json:"body"`, "required,max=65535", false, false, false},
		{"views:int:index", "int", `bun:"views,notnull" db:"index" json:"views"`, "", false, true, false},
		{"price:float", "float", `bun:"price,notnull" json:"price"`, "", false, false, false},
		{"published:bool", "bool", `bun:"published,notnull" json:"published"`, "", false, false, false},
		{"publishedAt:time:optional", "time", `bun:"published_at,nullzero" json:"published_at,omitempty"`, "", false, false, true},
		{"email:email:unique:index", "email", `bun:"email,notnull,unique" json:"email"`, "required,email,max=254", true, false, false},
		{"homepage:url:optional", "url", `bun:"homepage,nullzero" json:"homepage,omitempty"`, "omitempty,url,max=2048", false, false, true},
		{"ref:uuid", "uuid", `bun:"ref,notnull" json:"ref"`, "required,uuid", false, false, false},
		{"count:integer", "int", `bun:"count,notnull" json:"count"`, "", false, false, false},
		{"flag:BOOLEAN:NULL", "bool", `bun:"flag,nullzero" json:"flag,omitempty"`, "", false, false, true},
	} {
		f, err := ParseField(tc.arg)
		if err != nil {
			t.Errorf("ParseField(%q): %v", tc.arg, err)
			continue
		}
		if f.Kind.Name != tc.kind || f.Tags() != tc.tags || f.Rules() != tc.rules ||
			f.Unique != tc.unique || f.Index != tc.index || f.Optional != tc.optional {
			t.Errorf("ParseField(%q) = kind %s, tags %s, rules %q, unique %v index %v optional %v",
				tc.arg, f.Kind.Name, f.Tags(), f.Rules(), f.Unique, f.Index, f.Optional)
		}
	}
	for _, arg := range []string{"", ":string", "title:strin", "title:string:uniq", "1title", "type:string", "id:int", "created_at:time", "ti tle", "title:"} {
		if _, err := ParseField(arg); !errors.Is(err, ErrField) {
			t.Errorf("ParseField(%q) = %v, want ErrField", arg, err)
		}
	}
}

func TestNewSpec(t *testing.T) {
	t.Parallel()
	s, err := NewSpec("BlogPost", "", []string{"title:string:unique", "body:text"})
	if err != nil {
		t.Fatal(err)
	}
	for got, want := range map[string]string{
		s.Type(): "BlogPost", s.Var(): "blogPost", s.Table(): "blog_posts", s.Route(): "/api/blog-posts",
		s.Tag(): "blog-posts", s.HumanPlural(): "blog posts", s.RegisterCall(): "registerBlogPosts(api, s.DB)",
		s.SearchArgs(): `"title", "body"`, s.SortNames(): "id, title, body, created_at, updated_at",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if p, _ := NewSpec("person", "", []string{"name"}); p.Table() != "people" {
		t.Errorf("person's table: %q", p.Table())
	}
	if p, _ := NewSpec("octopus", "octopi", []string{"name"}); p.Table() != "octopi" {
		t.Errorf("--plural octopi: %q", p.Table())
	}
	for _, bad := range [][]string{
		{"post"},                        // no fields
		{"post", "title", "title:text"}, // twice
		{"post", "user_id", "userID"},   // the same Go name
		{"news", "title"},               // its own plural
		{"func", "title"},               // a keyword
		{"post", "title:nope"},          // a bad type
		{"9post", "title"},              // a bad name
	} {
		if _, err := NewSpec(bad[0], "", bad[1:]); !errors.Is(err, ErrSpec) {
			t.Errorf("NewSpec(%q) = %v, want ErrSpec", bad, err)
		}
	}
}

// TestFilesAreValidGo renders resources of every type and modifier: each
// file must be gofmt-clean Go (Render formats it, and fails on invalid
// code), and declare what the project's routes call.
func TestFilesAreValidGo(t *testing.T) {
	t.Parallel()
	var all []string
	for _, k := range Kinds {
		all = append(all, "f_"+k.Name+":"+k.Name, "o_"+k.Name+":"+k.Name+":optional", "u_"+k.Name+":"+k.Name+":unique:index")
	}
	for _, args := range [][]string{
		{"post", "title:string", "body:text", "published:bool"},
		{"counter", "value:int"},      // no text: no search, no required field
		{"event", "at:time:optional"}, // nothing required, a time
		append([]string{"everything"}, all...),
	} {
		s, err := NewSpec(args[0], "", args[1:])
		if err != nil {
			t.Fatal(err)
		}
		files, err := Files(s)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if len(files) != 2 || files[0].Path != "app/"+s.Name+".go" || files[1].Path != "app/"+s.Name+"_test.go" {
			t.Fatalf("%v: files %v", args, files)
		}
		src := string(files[0].Content)
		for _, want := range []string{"func " + strings.TrimSuffix(s.RegisterCall(), "(api, s.DB)") + "(r nexios.Registrar, d *db.DB)", "type " + s.Type() + " struct", "db.Timestamps"} {
			if !strings.Contains(src, want) {
				t.Errorf("%v: %s lacks %q", args, files[0].Path, want)
			}
		}
		if strings.Contains(src, "[[") || strings.Contains(string(files[1].Content), "[[") {
			t.Errorf("%v: a template action was left in the output", args)
		}
	}
}

// compiledNote is what the generator writes for note title:string:unique
// body:text at:time:optional:index, compiled: its migration must equal
// the one ModelType's run-time struct gives.
type compiledNote struct {
	db.BaseModel `bun:"table:notes,alias:note"`
	ID           int64      `bun:",pk,autoincrement" json:"id"`
	Title        string     `bun:"title,notnull,unique" json:"title"`
	Body         string     `bun:"body,type:text,notnull" json:"body"`
	At           *time.Time `bun:"at,nullzero" db:"index" json:"at,omitempty"`
	db.Timestamps
}

func TestMigrationMatchesCompiledModel(t *testing.T) {
	t.Parallel()
	s, err := NewSpec("note", "", []string{"title:string:unique", "body:text", "at:time:optional:index"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"Title string `bun:\"title,notnull,unique\" json:\"title\"`",
		"Body  string `bun:\"body,type:text,notnull\" json:\"body\"`",
		"At    *time.Time `bun:\"at,nullzero\" db:\"index\" json:\"at,omitempty\"`",
	} {
		if !strings.Contains(strings.Join(strings.Fields(string(files[0].Content)), " "), strings.Join(strings.Fields(line), " ")) {
			t.Fatalf("the generated model is not compiledNote any more (%s):\n%s", line, files[0].Content)
		}
	}
	want, err := db.GenerateMigration(&compiledNote{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00001_jobs.go"), []byte("package migrations\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths, err := WriteMigration(dir, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2 {
		t.Fatalf("paths %v", paths)
	}
	for i, d := range []db.Dialect{db.SQLite, db.Postgres} {
		if paths[i] != filepath.Join(dir, string(d), "00002_create_notes.sql") {
			t.Errorf("path %s", paths[i])
		}
		got, _ := os.ReadFile(paths[i])
		if string(got) != want[d] {
			t.Errorf("%s migration:\n%s\nwant:\n%s", d, got, want[d])
		}
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "routes.go")
	src := "package app\n\nfunc registerResources(api *nexios.Router, s *Services) {\n\tregisterNotes(api, s.DB)\n\t" + Marker + " — added above.\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, _ := NewSpec("post", "", []string{"title"})
	for range 2 { // the second time changes nothing
		if err := Register(path, s); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := os.ReadFile(path)
	want := "\tregisterNotes(api, s.DB)\n\tregisterPosts(api, s.DB)\n\t" + Marker
	if !strings.Contains(string(got), want) || strings.Count(string(got), "registerPosts") != 1 {
		t.Fatalf("routes.go:\n%s", got)
	}
	if err := os.WriteFile(path, []byte("package app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Register(path, s); !errors.Is(err, ErrNoMarker) {
		t.Fatalf("without the marker: %v", err)
	}
}

// FuzzSpec: whatever the command line says, an accepted resource renders
// to valid Go (Render runs gofmt's parser on it).
func FuzzSpec(f *testing.F) {
	f.Add("post", "title:string:unique", "body:text:optional")
	f.Add("BlogPost", "views:int:index", "at:time")
	f.Add("x-y", "a_b:email", "c:url:unique")
	f.Fuzz(func(t *testing.T, name, a, b string) {
		s, err := NewSpec(name, "", []string{a, b})
		if err != nil {
			return
		}
		if _, err := Files(s); err != nil {
			t.Fatalf("NewSpec(%q, %q, %q) accepted, but: %v", name, a, b, err)
		}
		if _, err := ModelType(s); err != nil {
			t.Fatal(err)
		}
	})
}
