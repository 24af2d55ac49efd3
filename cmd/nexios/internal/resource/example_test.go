package resource_test

import (
	"fmt"

	"github.com/nexios-go/nexios/cmd/nexios/internal/resource"
)

func ExampleParseField() {
	f, err := resource.ParseField("email:email:unique")
	if err != nil {
		panic(err)
	}
	fmt.Println(f.GoName(), f.GoType())
	fmt.Println(f.Tags())
	fmt.Println(f.Rules())
	// Output:
	// Email string
	// bun:"email,notnull,unique" json:"email"
	// required,email,max=254
}

func ExampleNewSpec() {
	s, err := resource.NewSpec("blog_post", "", []string{"title:string:unique", "body:text", "published:bool"})
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Type(), s.Table(), s.Route())
	fmt.Println(s.RegisterCall())
	// Output:
	// BlogPost blog_posts /api/blog-posts
	// registerBlogPosts(api, s.DB)
}
