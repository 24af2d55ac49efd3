// Package db is Nexios' data layer: models, typed queries, pagination,
// search, transactions, migrations and error mapping, on an embedded
// SQLite database (modernc.org/sqlite, pure Go) or PostgreSQL (pgx), with
// one model for both.
//
//	d, err := db.Open(ctx, "sqlite:app.db") // or postgres://…
//	d.Attach(app)                            // closed at shutdown
//
//	type User struct {
//		db.BaseModel `bun:"table:users,alias:u"`
//		ID           int64  `bun:",pk,autoincrement" json:"id"`
//		Email        string `bun:",unique,notnull" json:"email"`
//		db.Timestamps
//	}
//
//	err = db.Create(ctx, d, &User{Email: in.Email})        // 409 naming "email" on a duplicate
//	u, err := db.GetOr404[User](ctx, d, id)                  // 404 problem
//	err = db.Update(ctx, d, u, in)                           // only the fields the client sent
//	page, err := db.Q[User](ctx, d).
//		Search(in.Search, "username", "email").                 // Unicode case-folding, %/_ literal
//		OrderBy(in.Sort, in.Order, "created_at", "username").   // allow-list: a 422 otherwise
//		Paginate(in.Page, in.Limit)                             // {items,total,page,pages,has_next,has_prev}
//	err = d.Tx(ctx, func(ctx context.Context) error { … })  // queries under ctx join the transaction
//
// Models are structs with bun tags (github.com/uptrace/bun, which runs
// the queries; Bun and DB.Bun are the escape hatch to it) plus db tags
// for indexes and plain foreign keys. Errors the database reports are
// mapped by meaning, from the drivers' typed errors: a unique violation
// is a 409 *nexios.HTTPError naming the fields and wrapping a
// *ConstraintError, a missing row a 404 wrapping ErrNotFound. Client
// input the package checks — a sort field, a page, a cursor — is a 422
// *nexios.ValidationError naming the query parameter.
//
// Migrations are goose migrations read from an fs.FS (see Migrator);
// GenerateMigration writes the first one from the models. Package dbtest
// gives tests a fresh migrated database per test on both databases.
//
// See docs/database.md for the guide.
package db
