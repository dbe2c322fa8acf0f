-- +goose Up

-- What each applied plan item did to the target, so that undo touches
-- only what the run did and restores only what it knows:
--   effect: created (our POST answered 2xx), adopted (the key was there:
--           updated, never ours to delete), updated, deleted, none (a
--           delete of a key that was already gone).
--   pre_exact: pre_image is what the target held (read from the target,
--           or orgsync's own last full write), not a guess.
ALTER TABLE plan_items
    ADD COLUMN effect    text,
    ADD COLUMN pre_exact boolean NOT NULL DEFAULT false;

-- Who approved a run's held deletes, and which plan: its counts and a
-- digest of its items.
ALTER TABLE runs ADD COLUMN approval jsonb;

-- +goose Down
ALTER TABLE runs DROP COLUMN approval;
ALTER TABLE plan_items DROP COLUMN pre_exact, DROP COLUMN effect;
