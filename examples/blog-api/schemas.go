package main

// The inputs of the API: path, query and body fields, bound and validated
// before a handler runs (422 with every failing field otherwise). They
// are also what the OpenAPI document shows: bounds and allowed values are
// validate rules, which binding enforces and the document shows alike
// (jsonschema tags such as minimum or enum would only document).

// listQuery is seed 001's list parameters: page, limit (1–100, default
// 10), search, sort (a real field) and order.
type listQuery struct {
	Page   int    `query:"page" default:"1" validate:"min=1" doc:"Page number, from 1."`
	Limit  int    `query:"limit" default:"10" validate:"min=1,max=100" doc:"Items per page."`
	Search string `query:"search" validate:"max=100" doc:"Text to look for, case-insensitively (Unicode included)."`
	Order  string `query:"order" default:"desc" validate:"oneof=asc desc" doc:"Sort direction."`
}

type listUsers struct {
	listQuery
	Sort string `query:"sort" default:"created_at" validate:"oneof=id username email created_at updated_at" doc:"Field to sort by."`
}

type listPosts struct {
	listQuery
	Sort      string `query:"sort" default:"created_at" validate:"oneof=id title created_at updated_at" doc:"Field to sort by."`
	Published *bool  `query:"published" doc:"Only published (true) or draft (false) posts."`
	UserID    *int64 `query:"user_id" validate:"omitempty,min=1" doc:"Only this author's posts."`
}

// UserCreate is the body of POST /users. The password must pass seed
// 001's strength rule (registered as "password").
type UserCreate struct {
	Username string `json:"username" validate:"required,min=3,max=50"`
	Email    string `json:"email" validate:"required,email,max=254"`
	Password string `json:"password" validate:"required,password"`
}

// UserUpdate is a patch: only the fields sent are written.
type UserUpdate struct {
	ID       int64   `path:"user_id"`
	Username *string `json:"username" validate:"omitempty,min=3,max=50"`
	Email    *string `json:"email" validate:"omitempty,email,max=254"`
	IsActive *bool   `json:"is_active"`
}

type userID struct {
	ID int64 `path:"user_id"`
}

// PostCreate is the body of POST /posts.
type PostCreate struct {
	Title     string `json:"title" validate:"required,min=3,max=200"`
	Content   string `json:"content" validate:"required,max=100000"`
	Published bool   `json:"published"`
}

// PostUpdate is a patch of the author's own post.
type PostUpdate struct {
	ID        int64   `path:"post_id"`
	Title     *string `json:"title" validate:"omitempty,min=3,max=200"`
	Content   *string `json:"content" validate:"omitempty,max=100000"`
	Published *bool   `json:"published"`
}

type postID struct {
	ID int64 `path:"post_id"`
}

// Login is the body of POST /auth/login.
type Login struct {
	Username string `json:"username" validate:"required,max=50"`
	Password string `json:"password" validate:"required,max=4096"`
}

// PasswordChange is the body of POST /users/me/change-password.
type PasswordChange struct {
	OldPassword string `json:"old_password" validate:"required,max=4096"`
	NewPassword string `json:"new_password" validate:"required,password"`
}

// Message is a plain answer.
type Message struct {
	Message string `json:"message"`
}

// Uploaded answers POST /files/upload.
type Uploaded struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}
