package main

import (
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
)

func (s *server) postRoutes(api *nexios.Router) {
	r := nexios.NewRouter("/posts", nexios.RouterTags("posts"))
	api.Mount(r)
	nexios.Get(r, "/", s.listPosts, nexios.Summary("List posts"),
		nexios.Description("Each post comes with its author, loaded in the same query."))
	nexios.Post(r, "/", s.createPost, auth.Required(), nexios.Status(http.StatusCreated), nexios.Summary("Write a post"))
	nexios.Get(r, "/{post_id:int}", s.getPost, nexios.Summary("Get a post"))
	nexios.Put(r, "/{post_id:int}", s.updatePost, auth.Required(), nexios.Summary("Update my post"))
	nexios.Delete(r, "/{post_id:int}", s.deletePost, auth.Required(), nexios.Summary("Delete my post"))
}

func (s *server) listPosts(req *nexios.Request, in *listPosts) (*db.Page[Post], error) {
	return db.Q[Post](req.Context(), s.db).
		With("User").
		Filter("published", in.Published).
		Filter("user_id", in.UserID).
		Search(in.Search, "title", "content").
		OrderBy(in.Sort, in.Order, "id", "title", "created_at", "updated_at").
		Paginate(in.Page, in.Limit)
}

func (s *server) getPost(req *nexios.Request, in *postID) (*Post, error) {
	return db.Q[Post](req.Context(), s.db).With("User").Eq("id", in.ID).First() // 404 when none
}

func (s *server) createPost(req *nexios.Request, in *PostCreate) (*Post, error) {
	me := current(req)
	p := &Post{Title: in.Title, Content: in.Content, Published: in.Published, UserID: me.ID}
	if err := db.Create(req.Context(), s.db, p); err != nil {
		return nil, err
	}
	p.User = &Author{ID: me.ID, Username: me.Username}
	return p, nil
}

// own loads a post the signed-in user wrote: 404 when there is none, 403
// when it is someone else's.
func (s *server) own(req *nexios.Request, id int64) (*Post, error) {
	p, err := s.getPost(req, &postID{ID: id})
	if err != nil {
		return nil, err
	}
	if p.UserID != current(req).ID {
		return nil, forbidden("post's author")
	}
	return p, nil
}

func (s *server) updatePost(req *nexios.Request, in *PostUpdate) (*Post, error) {
	p, err := s.own(req, in.ID)
	if err != nil {
		return nil, err
	}
	return p, db.Update(req.Context(), s.db, p, in)
}

func (s *server) deletePost(req *nexios.Request, in *postID) (*struct{}, error) {
	p, err := s.own(req, in.ID)
	if err != nil {
		return nil, err
	}
	return nil, db.Delete(req.Context(), s.db, p)
}
