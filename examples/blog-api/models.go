package main

import (
	"strconv"

	"github.com/nexios-go/nexios/db"
)

// User is seed 001's users table, its JSON (the password hash is never
// sent) and, through its methods, the request's nexios.User once signed in.
// username and email are unique: the constraint, not a prior lookup, makes
// a duplicate a 409 (their unique constraints are their indexes).
type User struct {
	db.BaseModel `bun:"table:users,alias:u"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Username     string `bun:",unique,notnull" json:"username"`
	Email        string `bun:",unique,notnull" json:"email"`
	Password     string `bun:",notnull" json:"-"`
	IsActive     bool   `bun:",notnull,default:true" json:"is_active"`
	db.Timestamps
}

// IsAuthenticated, Identity, DisplayName and Scopes make a loaded User the
// request's nexios.User.
func (u *User) IsAuthenticated() bool { return true }
func (u *User) Identity() string      { return strconv.FormatInt(u.ID, 10) }
func (u *User) DisplayName() string   { return u.Username }
func (u *User) Scopes() []string      { return nil }

// Post is seed 001's posts table. User is its author, loaded in the same
// query (the seed's joinedload(Post.user)) and sent as {id, username}.
type Post struct {
	db.BaseModel `bun:"table:posts,alias:p"`
	ID           int64   `bun:",pk,autoincrement" json:"id"`
	Title        string  `bun:",notnull" json:"title"`
	Content      string  `bun:",notnull,type:text" json:"content"`
	UserID       int64   `bun:",notnull" db:"index" json:"user_id"`
	Published    bool    `bun:",notnull" db:"index" json:"published"`
	User         *Author `bun:"rel:belongs-to,join:user_id=id,on_delete:cascade" json:"user,omitempty"`
	db.Timestamps
}

// Author is the public view of a post's author: the users table, two
// columns.
type Author struct {
	db.BaseModel `bun:"table:users,alias:author"`
	ID           int64  `bun:",pk" json:"id"`
	Username     string `bun:",notnull" json:"username"`
}
