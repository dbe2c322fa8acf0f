-- A note on an item that was done but deserves a word in the run's report:
-- a WORKBOX delete taken as done on an answer the documents do not give,
-- an object a reconcile deleted because the source lacks it.

-- +goose Up
ALTER TABLE plan_items ADD COLUMN note text;

-- +goose Down
ALTER TABLE plan_items DROP COLUMN note;
