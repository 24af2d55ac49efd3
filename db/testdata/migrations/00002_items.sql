-- Replaced by sqlite/00002_items.sql and postgres/00002_items.sql: a
-- dialect's file wins over a shared file of the same version.

-- +goose Up
SELECT 'this shared version must never run' FROM no_such_table;

-- +goose Down
SELECT 1;
