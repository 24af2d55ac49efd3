package db_test

import (
	"embed"
	"io/fs"

	"github.com/nexios-go/nexios/db"
)

// User is seed 001's user.
type User struct {
	db.BaseModel `bun:"table:users,alias:u"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Username     string `bun:",unique,notnull" json:"username"`
	Email        string `bun:",unique,notnull" json:"email"`
	Password     string `bun:",notnull" json:"-"`
	IsActive     bool   `bun:",notnull,default:true" json:"is_active"`
	db.Timestamps
	Posts []*Post `bun:"rel:has-many,join:id=user_id" json:"posts,omitempty"`
}

// Post is seed 001's post, soft-deletable, unique per (author, title).
type Post struct {
	db.BaseModel `bun:"table:posts,alias:p"`
	ID           int64  `bun:",pk,autoincrement" json:"id"`
	Title        string `bun:",notnull,unique:posts_user_title" json:"title"`
	Content      string `bun:",notnull" json:"content"`
	UserID       int64  `bun:",notnull,unique:posts_user_title" db:"index,index:posts_user_published" json:"user_id"`
	Published    bool   `bun:",notnull" db:"index:posts_user_published" json:"published"`
	db.Timestamps
	db.SoftDelete
	Author *User `bun:"rel:belongs-to,join:user_id=id,on_delete:restrict" json:"author,omitempty"`
}

// Item has a CHECK, a nullable column and a deferred self-reference, from
// per-dialect migrations (sqlite/ and postgres/ 00002).
type Item struct {
	db.BaseModel `bun:"table:items,alias:i"`
	ID           int64    `bun:",pk,autoincrement" json:"id"`
	Name         string   `bun:",notnull" json:"name"`
	Qty          int      `bun:",notnull" json:"qty"`
	Price        *float64 `json:"price"`
	ParentID     *int64   `json:"parent_id"`
}

//go:embed testdata/migrations
var migrationsRoot embed.FS

// migrations is the migrations directory of the tests.
func migrations() fs.FS {
	sub, err := fs.Sub(migrationsRoot, "testdata/migrations")
	if err != nil {
		panic(err)
	}
	return sub
}
