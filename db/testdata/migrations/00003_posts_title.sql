-- Shared by both dialects.

-- +goose Up
CREATE INDEX "posts_title_idx" ON "posts" ("title");

-- +goose Down
DROP INDEX "posts_title_idx";
