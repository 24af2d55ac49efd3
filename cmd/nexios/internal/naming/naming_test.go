package naming

import (
	"errors"
	"testing"
)

func TestCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, pascal, camel, snake, kebab, plural string
	}{
		{"post", "Post", "post", "post", "post", "posts"},
		{"blog_post", "BlogPost", "blogPost", "blog_post", "blog-post", "blog_posts"},
		{"BlogPost", "BlogPost", "blogPost", "blog_post", "blog-post", "blog_posts"},
		{"blog-post", "BlogPost", "blogPost", "blog_post", "blog-post", "blog_posts"},
		{"user_id", "UserID", "userID", "user_id", "user-id", "user_ids"},
		{"HTTPServer", "HTTPServer", "httpServer", "http_server", "http-server", "http_servers"},
		{"category", "Category", "category", "category", "category", "categories"},
		{"day", "Day", "day", "day", "day", "days"},
		{"box", "Box", "box", "box", "box", "boxes"},
		{"match", "Match", "match", "match", "match", "matches"},
		{"person", "Person", "person", "person", "person", "people"},
		{"leaf", "Leaf", "leaf", "leaf", "leaf", "leaves"},
		{"knife", "Knife", "knife", "knife", "knife", "knives"},
		{"news", "News", "news", "news", "news", "news"},
		{"status", "Status", "status", "status", "status", "statuses"},
		{"avatar_url", "AvatarURL", "avatarURL", "avatar_url", "avatar-url", "avatar_urls"},
		{"item2", "Item2", "item2", "item2", "item2", "item2s"},
	} {
		if got := Pascal(tc.in); got != tc.pascal {
			t.Errorf("Pascal(%q) = %q, want %q", tc.in, got, tc.pascal)
		}
		if got := Camel(tc.in); got != tc.camel {
			t.Errorf("Camel(%q) = %q, want %q", tc.in, got, tc.camel)
		}
		if got := Snake(tc.in); got != tc.snake {
			t.Errorf("Snake(%q) = %q, want %q", tc.in, got, tc.snake)
		}
		if got := Kebab(tc.in); got != tc.kebab {
			t.Errorf("Kebab(%q) = %q, want %q", tc.in, got, tc.kebab)
		}
		if got := Plural(tc.in); got != tc.plural {
			t.Errorf("Plural(%q) = %q, want %q", tc.in, got, tc.plural)
		}
	}
}

func TestCheckProject(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"demo": true, "my-app": true, "my_app2": true, "A": true,
		"": false, "2app": false, "-app": false, "my app": false, "app/x": false, "../x": false, "é": false,
		"a2345678901234567890123456789012345678901234567890123456789012345": false,
	} {
		err := CheckProject(name)
		if (err == nil) != ok {
			t.Errorf("CheckProject(%q) = %v, want ok=%v", name, err, ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("CheckProject(%q): %v does not wrap ErrInvalidName", name, err)
		}
	}
}

func TestCheckIdent(t *testing.T) {
	t.Parallel()
	for name, ok := range map[string]bool{
		"title": true, "published_at": true, "BlogPost": true, "blog-post": true, "x1": true,
		"": false, "1x": false, "_x": false, "type": false, "func": false, "id": false, "ID": false,
		"created_at": false, "updatedAt": false, "a b": false, "naïve": false, "a.b": false,
	} {
		if err := CheckIdent("field", name); (err == nil) != ok {
			t.Errorf("CheckIdent(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"blog_post", "HTTPServer", "a-b c.d", "ÉtéX", "__", "x2Y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Whatever a person types, a name that passes CheckIdent gives Go
		// identifiers, a stable snake form, and the same Go name from the
		// snake form as from the name itself.
		if CheckIdent("resource", s) != nil {
			return
		}
		for _, id := range []string{Pascal(s), Camel(s)} {
			if id == "" {
				t.Fatalf("%q gives an empty identifier", s)
			}
		}
		if Snake(Snake(s)) != Snake(s) || Pascal(Snake(s)) != Pascal(s) {
			t.Fatalf("%q: forms differ: %q %q %q %q", s, Snake(s), Snake(Snake(s)), Pascal(s), Pascal(Snake(s)))
		}
	})
}
