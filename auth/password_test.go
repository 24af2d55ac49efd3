package auth_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/testclient"
)

func TestHashPassword(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("not a PHC string: %q", h)
	}
	if h2, _ := auth.HashPassword("correct horse"); h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse": true, "correct horse ": false, "": false, "Correct horse": false} {
		if ok, err := auth.VerifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	if auth.NeedsRehash(h, auth.DefaultArgon2Params()) {
		t.Error("a fresh hash needs rehashing")
	}
	stronger := auth.DefaultArgon2Params()
	stronger.Memory *= 2
	if !auth.NeedsRehash(h, stronger) {
		t.Error("a weaker hash does not need rehashing")
	}
	if _, err := auth.HashPassword(strings.Repeat("x", 5000)); !errors.Is(err, auth.ErrPasswordTooLong) {
		t.Errorf("a 5000-byte password: %v", err)
	}
	if ok, _ := auth.VerifyPassword(strings.Repeat("x", 5000), h); ok {
		t.Error("a 5000-byte password verified")
	}
}

func TestVerifyBcrypt(t *testing.T) {
	t.Parallel()
	b, err := bcrypt.GenerateFromPassword([]byte("legacy"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"legacy": true, "Legacy": false} {
		if ok, err := auth.VerifyPassword(pw, string(b)); err != nil || ok != want {
			t.Errorf("bcrypt VerifyPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	if !auth.NeedsRehash(string(b), auth.DefaultArgon2Params()) {
		t.Error("a bcrypt hash should be rehashed to argon2id")
	}
	// $2y$ (PHP) and $2b$ are the same algorithm.
	y := "$2y$" + string(b)[4:]
	if ok, err := auth.VerifyPassword("legacy", y); err != nil || !ok {
		t.Errorf("$2y$: %v %v", ok, err)
	}
}

func TestUnusableHashes(t *testing.T) {
	t.Parallel()
	good, _ := auth.HashPasswordWith("pw", cheap)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":           "",
		"plain text":      "pw",
		"md5":             "$1$abc$def",
		"argon2i":         strings.Replace(good, "argon2id", "argon2i", 1),
		"wrong version":   strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":     "$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5],
		"many iterations": "$argon2id$v=19$m=64,t=100000,p=1$" + parts[4] + "$" + parts[5],
		"zero lanes":      "$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"unknown param":   "$argon2id$v=19$m=64,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"bad salt":        "$argon2id$v=19$m=64,t=1,p=1$!!$" + parts[5],
		"short salt":      "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + parts[5],
		"missing part":    "$argon2id$v=19$m=64,t=1,p=1$" + parts[4],
		"bcrypt cost 31":  "$2b$31$" + strings.Repeat("a", 53),
		"bcrypt garbage":  "$2b$10$short",
	} {
		ok, err := auth.VerifyPassword("pw", h)
		if ok || !errors.Is(err, auth.ErrUnknownHash) {
			t.Errorf("%s: VerifyPassword = %v, %v", name, ok, err)
		}
	}
	if _, err := auth.HashPasswordWith("pw", auth.Argon2Params{}); err == nil {
		t.Error("zero parameters accepted")
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	seed := auth.DefaultPasswordPolicy()
	cases := []struct {
		pw     string
		policy auth.PasswordPolicy
		want   string
	}{
		{"Abcdefg1", seed, ""},
		{"Ab1", seed, "must be at least 8 characters"},
		{"abcdefgh1", seed, "must contain an uppercase letter"},
		{"ABCDEFGH1", seed, "must contain a lowercase letter"},
		{"Abcdefghi", seed, "must contain a digit"},
		{"abc", seed, "must be at least 8 characters; must contain an uppercase letter; must contain a digit"},
		{"Ünïcödé9", seed, ""},
		{"Abcdefg1", auth.PasswordPolicy{RequireSymbol: true}, "must contain a symbol"},
		{"Abcdefg1!", auth.PasswordPolicy{RequireSymbol: true}, ""},
		{strings.Repeat("a", 129), auth.PasswordPolicy{}, "must be at most 128 characters"},
		{"short", auth.PasswordPolicy{MinLength: 4}, ""},
	}
	for _, tc := range cases {
		err := tc.policy.Check(tc.pw)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("Check(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
	var pe *auth.PasswordError
	if err := seed.Check("x"); !errors.As(err, &pe) || nexios.StatusOf(err) != 422 {
		t.Fatalf("%T %v", err, err)
	}
}

// The rule in validate tags: req.Bind answers 422 with what is missing.
func TestRegisterPasswordRule(t *testing.T) {
	t.Parallel()
	app := quietApp()
	if err := auth.RegisterPasswordRule(app, "password", auth.DefaultPasswordPolicy()); err != nil {
		t.Fatal(err)
	}
	if err := auth.RegisterPasswordRule(app, "", auth.PasswordPolicy{}); err == nil {
		t.Fatal("empty tag accepted")
	}
	type signup struct {
		Username string `json:"username" validate:"required"`
		Password string `json:"password" validate:"required,password"`
	}
	app.Post("/users", func(req *nexios.Request, res *nexios.Response) error {
		var in signup
		if err := req.Bind(&in); err != nil {
			return err
		}
		return res.Status(201).JSON(map[string]string{"username": in.Username})
	})
	c := testclient.New(app)
	if r := c.Post("/users", testclient.JSON(map[string]string{"username": "ada", "password": "Abcdefg1"})); r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Text())
	}
	r := c.Post("/users", testclient.JSON(map[string]string{"username": "ada", "password": "abc"}))
	var p struct {
		Status int
		Errors []struct{ Loc, Field, Message, Rule string }
	}
	if err := r.JSON(&p); err != nil || r.Status != 422 || len(p.Errors) != 1 {
		t.Fatalf("%d %s", r.Status, r.Text())
	}
	if e := p.Errors[0]; e.Field != "password" || e.Rule != "password" ||
		e.Message != "must be at least 8 characters; must contain an uppercase letter; must contain a digit" {
		t.Fatalf("field error %+v", e)
	}
}
