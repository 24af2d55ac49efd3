package naming_test

import (
	"fmt"

	"github.com/nexios-go/nexios/cmd/nexios/internal/naming"
)

func Example() {
	for _, name := range []string{"blog-post", "person", "avatar_url"} {
		fmt.Println(naming.Pascal(name), naming.Camel(name), naming.Snake(name), naming.Plural(name))
	}
	// Output:
	// BlogPost blogPost blog_post blog_posts
	// Person person person people
	// AvatarURL avatarURL avatar_url avatar_urls
}
