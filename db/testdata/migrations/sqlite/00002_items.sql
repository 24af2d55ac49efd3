-- Items differ per dialect: SQLite's key and types.

-- +goose Up
CREATE TABLE "items" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" VARCHAR NOT NULL,
    "qty" INTEGER NOT NULL CONSTRAINT "items_qty_nonnegative" CHECK ("qty" >= 0),
    "price" DOUBLE PRECISION,
    "parent_id" INTEGER REFERENCES "items" ("id") DEFERRABLE INITIALLY DEFERRED
);

-- +goose Down
DROP TABLE "items";
