package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/nexios-go/nexios"
	"github.com/nexios-go/nexios/auth"
	"github.com/nexios-go/nexios/db"
)

func (s *server) userRoutes(api *nexios.Router) {
	r := nexios.NewRouter("/users", nexios.RouterTags("users"))
	api.Mount(r)
	nexios.Get(r, "/", s.listUsers, nexios.Summary("List users"))
	nexios.Post(r, "/", s.createUser, nexios.Status(http.StatusCreated), nexios.Summary("Create a user"),
		nexios.Description("Signs a user up and, in the same transaction, queues the welcome e-mail."))
	nexios.Get(r, "/me", s.me, auth.Required(), nexios.Summary("The signed-in user"))
	nexios.Post(r, "/me/change-password", s.changePassword, auth.Required(), nexios.Summary("Change my password"),
		nexios.Description("Every token the user had is revoked: every device signs in again."))
	nexios.Get(r, "/{user_id:int}", s.getUser, nexios.Summary("Get a user"))
	nexios.Put(r, "/{user_id:int}", s.updateUser, auth.Required(), nexios.Summary("Update my account"))
	nexios.Delete(r, "/{user_id:int}", s.deleteUser, auth.Required(), nexios.Summary("Delete my account"))
}

func (s *server) listUsers(req *nexios.Request, in *listUsers) (*db.Page[User], error) {
	return db.Q[User](req.Context(), s.db).
		Search(in.Search, "username", "email").
		OrderBy(in.Sort, in.Order, "id", "username", "email", "created_at", "updated_at").
		Paginate(in.Page, in.Limit)
}

func (s *server) createUser(req *nexios.Request, in *UserCreate) (*User, error) {
	hash, err := s.passwords.Hash(req, in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Username: in.Username, Email: in.Email, Password: hash, IsActive: true}
	err = s.db.Tx(req.Context(), func(ctx context.Context) error {
		if err := db.Create(ctx, s.db, u); err != nil {
			return err // a taken username or e-mail: 409, from the unique constraint
		}
		_, err := s.jobs.EnqueueTx(ctx, welcomeMail(s.mailFrom, u))
		return err // the mail exists only if the user does
	})
	return u, err
}

func (s *server) getUser(req *nexios.Request, in *userID) (*User, error) {
	return db.GetOr404[User](req.Context(), s.db, in.ID)
}

func (s *server) me(req *nexios.Request, _ *struct{}) (*User, error) {
	return current(req), nil
}

// account is the signed-in user when the path names them: 404 when no
// such user exists (the seed's get_or_404 comes first), 403 for someone
// else's account.
func (s *server) account(req *nexios.Request, id int64) (*User, error) {
	if me := current(req); me.ID == id {
		return me, nil
	}
	if _, err := db.GetOr404[User](req.Context(), s.db, id); err != nil {
		return nil, err
	}
	return nil, forbidden("account's owner")
}

func (s *server) updateUser(req *nexios.Request, in *UserUpdate) (*User, error) {
	me, err := s.account(req, in.ID)
	if err != nil {
		return nil, err
	}
	return me, db.Update(req.Context(), s.db, me, in) // only the fields sent; 409 on a taken name
}

func (s *server) deleteUser(req *nexios.Request, in *userID) (*struct{}, error) {
	me, err := s.account(req, in.ID)
	if err != nil {
		return nil, err
	}
	return nil, db.Delete(req.Context(), s.db, me) // 204; the posts go with it
}

func (s *server) changePassword(req *nexios.Request, in *PasswordChange) (*Message, error) {
	me := current(req)
	if err := s.passwords.Verify(req, me.Username, in.OldPassword, me.Password); err != nil {
		if errors.Is(err, auth.ErrInvalidCredentials) {
			return nil, nexios.NewHTTPError(http.StatusBadRequest, "Incorrect password")
		}
		return nil, err // throttled or busy
	}
	hash, err := s.passwords.Hash(req, in.NewPassword)
	if err != nil {
		return nil, err
	}
	me.Password = hash
	if err := db.Save(req.Context(), s.db, me); err != nil {
		return nil, err
	}
	if err := s.tokens.RevokeSubject(req.Context(), me.Identity()); err != nil {
		return nil, err // seed 001's invalidate_sessions
	}
	return &Message{"Password changed successfully"}, s.refresh.Clear(req.Response())
}
