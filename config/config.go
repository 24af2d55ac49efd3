// Package config fills a typed configuration struct from the environment,
// layered .env files, secret files and command-line flags, validates it,
// and reports every problem at once:
//
//	type Config struct {
//		Addr        string        `env:"ADDR" envDefault:"127.0.0.1:5000" flag:"addr" usage:"listen address"`
//		DatabaseURL string        `env:"DATABASE_URL" envDefault:"sqlite:app.db" flag:"db"`
//		JWTSecret   config.Secret `env:"JWT_SECRET" validate:"omitempty,min=32"`
//		Debug       bool          `env:"DEBUG" flag:"debug"`
//		Timeout     time.Duration `env:"TIMEOUT" envDefault:"15s" validate:"gt=0"`
//	}
//
//	var cfg Config
//	if err := config.Load(&cfg, config.Args(os.Args[1:])); err != nil {
//		log.Fatal(err) // config: 3 problems: DATABASE_URL: …; JWT_SECRET: …; TIMEOUT: …
//	}
//
// # Where values come from
//
// Later sources override earlier ones:
//
//  1. envDefault tags;
//  2. the .env file, then .env.local, then .env.{NEXIOS_ENV} (NEXIOS_ENV from
//     the environment or the earlier files), in Dir (default ".");
//  3. the process environment;
//  4. KEY_FILE: when KEY itself is unset, the content of the file KEY_FILE
//     names (Docker and Kubernetes secrets; one trailing newline dropped);
//  5. command-line flags, for fields tagged flag:"name", when Args is given.
//
// Parsing is github.com/caarlos0/env/v11 (its env, envDefault, envPrefix,
// required, notEmpty and expand tag options work as documented there);
// validation is go-playground's validate tags with the messages request
// bodies get.
//
// # Secrets
//
// Redacted, Write and LogValue mask the value of a field of type Secret,
// of one tagged secret:"true", and of one whose key names a secret
// (…SECRET, …PASSWORD, …TOKEN, …API_KEY…); URL values lose their password
// (postgres://app:xxxxx@db/app). Declare secrets as Secret: a Secret also
// formats, marshals and logs as "******" wherever it goes — only
// Secret.Reveal returns the value — so logging the whole struct cannot
// leak it.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/caarlos0/env/v11"
	"github.com/go-playground/validator/v10"

	"github.com/nexios-go/nexios/bind"
)

// EnvName is the environment variable that selects the .env.{name} file.
const EnvName = "NEXIOS_ENV"

// Option configures Load.
type Option func(*options)

type options struct {
	dir     string
	environ []string
	args    []string
	useArgs bool
	rest    *[]string // LeadingFlags: where the arguments after the flags go
	prefix  string
	name    string
	valid   *validator.Validate
}

// Dir sets the directory the .env files are read from (default ".").
func Dir(dir string) Option { return func(o *options) { o.dir = dir } }

// Environ replaces the process environment (os.Environ()), for tests.
func Environ(env []string) Option { return func(o *options) { o.environ = env } }

// Args parses command-line flags for fields tagged flag:"name" (with an
// optional usage:"…" tag); a flag given overrides every other source.
// Pass os.Args[1:]. -h and -help return an error wrapping flag.ErrHelp
// whose message is the usage.
func Args(args []string) Option {
	return func(o *options) { o.args, o.useArgs = args, true }
}

// LeadingFlags is Args for a program whose command line goes on after
// its configuration flags: flags are parsed up to the first argument that
// is not one (or "--"), and the arguments from there are stored in rest —
// "-db postgres://… migrate status" sets DATABASE_URL and leaves
// [migrate status] for the program's commands (cli.Args).
func LeadingFlags(args []string, rest *[]string) Option {
	return func(o *options) { o.args, o.useArgs, o.rest = args, true, rest }
}

// Prefix reads every key with a prefix ("APP_"): ADDR is read from
// APP_ADDR.
func Prefix(p string) Option { return func(o *options) { o.prefix = p } }

// Name sets the program name in flag usage (default os.Args[0]).
func Name(name string) Option { return func(o *options) { o.name = name } }

// Validator validates the configuration with v instead of a new
// go-playground validator, so that custom rules registered on it apply to
// validate tags here too: app.Validator() when the app is built first,
// else a validator on which the program registers the rules it also
// registers on app.Validator().
func Validator(v *validator.Validate) Option { return func(o *options) { o.valid = v } }

// Problem is one missing or invalid key.
type Problem struct {
	Key     string
	Message string
}

// Error lists every problem Load found.
type Error struct {
	Problems []Problem
}

func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Key + ": " + p.Message
	}
	noun := "problems"
	if len(parts) == 1 {
		noun = "problem"
	}
	return fmt.Sprintf("config: %d %s: %s", len(parts), noun, strings.Join(parts, "; "))
}

// Load fills cfg, a pointer to a struct, and validates it. Every
// problem — a missing required key, a value that does not parse, a failed
// validate rule, an unreadable secret file, a malformed .env line, an
// unknown flag — is collected into one *Error.
func Load(cfg any, opts ...Option) error {
	o := options{dir: ".", environ: os.Environ(), name: filepath.Base(os.Args[0])}
	for _, opt := range opts {
		opt(&o)
	}
	rv := reflect.ValueOf(cfg)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("config: Load needs a pointer to a struct, got %T", cfg)
	}
	fields := walk(rv.Elem().Type(), o.prefix, "")
	var probs problems

	merged := env.ToMap(o.environ)
	files := readDotenvs(o.dir, merged, &probs)
	for k, v := range files {
		if _, set := merged[k]; !set {
			merged[k] = v
		}
	}
	for _, f := range fields {
		readSecretFile(f.key, merged, &probs)
	}
	if o.useArgs {
		if err := applyFlags(o, fields, merged, &probs); err != nil {
			return err
		}
	}

	err := env.ParseWithOptions(cfg, env.Options{Environment: merged, Prefix: o.prefix})
	var agg env.AggregateError
	switch {
	case errors.As(err, &agg):
		for _, e := range agg.Errors {
			probs.add(envProblem(e, fields))
		}
	case err != nil:
		return fmt.Errorf("config: %w", err)
	}
	if err := validate(o.valid, cfg, fields, &probs); err != nil {
		return err
	}
	if len(probs.list) > 0 {
		return &Error{Problems: probs.list}
	}
	return nil
}

// problems collects one problem per key, in the order found.
type problems struct {
	list []Problem
	seen map[string]bool
}

func (p *problems) add(pr Problem) {
	if p.seen == nil {
		p.seen = make(map[string]bool)
	}
	if p.seen[pr.Key] {
		return
	}
	p.seen[pr.Key] = true
	p.list = append(p.list, pr)
}

// readDotenvs reads .env, .env.local and .env.{NEXIOS_ENV}, later files
// overriding earlier ones.
func readDotenvs(dir string, environ map[string]string, probs *problems) map[string]string {
	out := make(map[string]string)
	read := func(name string) {
		path := filepath.Join(dir, name)
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		if err != nil {
			probs.add(Problem{Key: name, Message: err.Error()})
			return
		}
		defer f.Close()
		vals, err := ParseDotenv(f)
		if err != nil {
			probs.add(Problem{Key: name, Message: err.Error()})
			return
		}
		for k, v := range vals {
			out[k] = v
		}
	}
	read(".env")
	read(".env.local")
	name, ok := environ[EnvName]
	if !ok {
		name = out[EnvName]
	}
	if name != "" {
		if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
			probs.add(Problem{Key: EnvName, Message: "must be a plain name (production, test…)"})
		} else {
			read(".env." + name)
		}
	}
	return out
}

// readSecretFile sets key from the file KEY_FILE names, when key itself
// is unset.
func readSecretFile(key string, merged map[string]string, probs *problems) {
	path, ok := merged[key+"_FILE"]
	if !ok {
		return
	}
	if _, set := merged[key]; set {
		probs.add(Problem{Key: key, Message: "both " + key + " and " + key + "_FILE are set; set one"})
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		probs.add(Problem{Key: key + "_FILE", Message: "reading the secret file: " + err.Error()})
		return
	}
	v := strings.TrimSuffix(string(b), "\n")
	merged[key] = strings.TrimSuffix(v, "\r")
}

// envProblem turns one of caarlos0/env's errors into a problem on a key.
func envProblem(err error, fields []fieldInfo) Problem {
	var notSet env.VarIsNotSetError
	var empty env.EmptyVarError
	var parse env.ParseError
	var file env.LoadFileContentError
	switch {
	case errors.As(err, &notSet):
		return Problem{Key: notSet.Key, Message: "is required and not set"}
	case errors.As(err, &empty):
		return Problem{Key: empty.Key, Message: "must not be empty"}
	case errors.As(err, &file):
		return Problem{Key: file.Key, Message: "reading " + file.Filename + ": " + file.Err.Error()}
	case errors.As(err, &parse):
		key := parse.Name
		for _, f := range fields {
			if f.name == parse.Name {
				key = f.key
				break
			}
		}
		// The cause without the value, which may be a secret.
		return Problem{Key: key, Message: "cannot be parsed as " + kindName(parse.Type) + " (" + causeOnly(parse.Err) + ")"}
	}
	return Problem{Key: "?", Message: err.Error()}
}

// causeOnly describes why a value did not parse without quoting it (it
// may be a secret): strconv's "invalid syntax" or "value out of range",
// else "invalid value" — time.ParseDuration and others quote the value in
// their messages.
func causeOnly(err error) string {
	switch {
	case errors.Is(err, strconv.ErrSyntax):
		return strconv.ErrSyntax.Error()
	case errors.Is(err, strconv.ErrRange):
		return strconv.ErrRange.Error()
	}
	return "invalid value"
}

func kindName(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.String() {
	case "time.Duration":
		return "a duration (15s, 2m)"
	case "bool":
		return "a boolean"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// validate runs the validate tags, naming fields by their keys. A tag
// the validator does not know is the program's mistake, returned as an
// error (go-playground panics on it).
func validate(v *validator.Validate, cfg any, fields []fieldInfo, probs *problems) (err error) {
	if v == nil {
		v = validator.New(validator.WithRequiredStructEnabled())
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("config: validate tags: %v", r)
		}
	}()
	verr := v.Struct(cfg)
	var ves validator.ValidationErrors
	if !errors.As(verr, &ves) {
		if verr != nil {
			return fmt.Errorf("config: validate tags: %w", verr)
		}
		return nil
	}
	byPath := make(map[string]string, len(fields))
	for _, f := range fields {
		byPath[f.path] = f.key
	}
	for _, fe := range ves {
		ns := fe.StructNamespace()
		if i := strings.IndexByte(ns, '.'); i >= 0 {
			ns = ns[i+1:] // drop the root type's name
		}
		key, ok := byPath[ns]
		if !ok {
			key = ns
		}
		probs.add(Problem{Key: key, Message: bind.Message(fe)})
	}
	return nil
}

// fieldInfo is one configurable field.
type fieldInfo struct {
	name   string // Go field name
	path   string // Go field path from the root: DB.URL
	key    string // environment key, prefixes included
	flag   string
	usage  string
	secret bool
	isBool bool
	index  []int
}

var secretType = reflect.TypeFor[Secret]()

// walk lists the fields with an env tag, descending into nested structs
// (with their envPrefix).
func walk(t reflect.Type, prefix, path string) []fieldInfo {
	var out []fieldInfo
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		p := f.Name
		if path != "" {
			p = path + "." + f.Name
		}
		name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if name == "" && ft.Kind() == reflect.Struct && ft != secretType && !isLeafStruct(ft) {
			for _, sub := range walk(ft, prefix+f.Tag.Get("envPrefix"), p) {
				sub.index = append([]int{i}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		if name == "" {
			continue
		}
		out = append(out, fieldInfo{
			name: f.Name, path: p, key: prefix + name,
			flag: f.Tag.Get("flag"), usage: f.Tag.Get("usage"),
			secret: f.Type == secretType || f.Tag.Get("secret") == "true" || looksSecret(name),
			isBool: ft.Kind() == reflect.Bool,
			index:  []int{i},
		})
	}
	return out
}

// isLeafStruct reports struct types that caarlos0/env parses as one value.
func isLeafStruct(t reflect.Type) bool {
	switch t.String() {
	case "time.Time", "url.URL":
		return true
	}
	return false
}

// looksSecret reports keys whose values are secrets by name, so a
// forgotten tag does not print a password.
func looksSecret(key string) bool {
	k := strings.ToUpper(key)
	for _, w := range []string{"SECRET", "PASSWORD", "PASSWD", "TOKEN", "PRIVATE_KEY", "API_KEY", "CREDENTIAL"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// applyFlags parses the flags and lets those given override every other
// source.
func applyFlags(o options, fields []fieldInfo, merged map[string]string, probs *problems) error {
	fs := flag.NewFlagSet(o.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	given := make(map[string]*flagValue)
	for _, f := range fields {
		if f.flag == "" {
			continue
		}
		v := &flagValue{isBool: f.isBool}
		given[f.key] = v
		usage := f.usage
		if usage == "" {
			usage = "sets " + f.key
		} else {
			usage += " (" + f.key + ")"
		}
		fs.Var(v, f.flag, usage)
	}
	if err := fs.Parse(o.args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			var b strings.Builder
			fs.SetOutput(&b)
			fmt.Fprintf(&b, "Usage of %s:\n", o.name)
			fs.PrintDefaults()
			return fmt.Errorf("%s%w", b.String(), flag.ErrHelp)
		}
		probs.add(Problem{Key: "flags", Message: err.Error()})
		return nil
	}
	if o.rest != nil {
		*o.rest = fs.Args()
	} else if rest := fs.Args(); len(rest) > 0 {
		probs.add(Problem{Key: "flags", Message: "unexpected arguments: " + strings.Join(rest, " ")})
	}
	keys := make([]string, 0, len(given))
	for k := range given {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := given[k]; v.set {
			merged[k] = v.value
		}
	}
	return nil
}

// flagValue records a flag's raw value; parsing is left to the env
// parser, so a flag and a variable parse the same way.
type flagValue struct {
	value  string
	set    bool
	isBool bool
}

func (v *flagValue) String() string { return v.value }

func (v *flagValue) Set(s string) error {
	v.value, v.set = s, true
	return nil
}

func (v *flagValue) IsBoolFlag() bool { return v.isBool }

// Entry is one key of a loaded configuration, ready to print.
type Entry struct {
	Key    string
	Value  string // masked when Secret
	Secret bool
}

// Redacted lists cfg's keys and values, sorted by key, secrets masked.
func Redacted(cfg any) []Entry {
	rv := reflect.Indirect(reflect.ValueOf(cfg))
	if rv.Kind() != reflect.Struct {
		return nil
	}
	var out []Entry
	for _, f := range walk(rv.Type(), "", "") {
		fv, ok := fieldByIndex(rv, f.index)
		val := ""
		if ok {
			val = fmt.Sprint(fv.Interface())
		}
		e := Entry{Key: f.key, Value: maskURL(val), Secret: f.secret}
		if f.secret {
			e.Value = mask(val)
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// LogValue returns cfg as a log group of its keys, secrets masked:
// logger.Info("starting", "config", config.LogValue(&cfg)). Logging the
// struct itself is safe only for fields of type Secret.
func LogValue(cfg any) slog.Value {
	entries := Redacted(cfg)
	attrs := make([]slog.Attr, len(entries))
	for i, e := range entries {
		attrs[i] = slog.String(e.Key, e.Value)
	}
	return slog.GroupValue(attrs...)
}

// Write prints cfg as KEY=value lines, secrets masked.
func Write(w io.Writer, cfg any) error {
	for _, e := range Redacted(cfg) {
		if _, err := fmt.Fprintf(w, "%s=%s\n", e.Key, e.Value); err != nil {
			return err
		}
	}
	return nil
}

func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 {
			if v.Kind() == reflect.Pointer {
				if v.IsNil() {
					return reflect.Value{}, false
				}
				v = v.Elem()
			}
		}
		v = v.Field(x)
	}
	return v, true
}
