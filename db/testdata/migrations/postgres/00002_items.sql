-- Items differ per dialect: PostgreSQL's key and types.

-- +goose Up
CREATE TABLE "items" (
    "id" BIGSERIAL PRIMARY KEY,
    "name" VARCHAR NOT NULL,
    "qty" INTEGER NOT NULL CONSTRAINT "items_qty_nonnegative" CHECK ("qty" >= 0),
    "price" DOUBLE PRECISION,
    "parent_id" BIGINT REFERENCES "items" ("id") DEFERRABLE INITIALLY DEFERRED
);

-- +goose Down
DROP TABLE "items";
