-- Shared by both dialects.

-- +goose Up
CREATE INDEX "posts_title_idx" ON "posts" ("title");
CREATE INDEX "posts_created_id_idx" ON "posts" ("created_at", "id");

-- +goose Down
DROP INDEX "posts_created_id_idx";
DROP INDEX "posts_title_idx";
