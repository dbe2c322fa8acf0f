-- +goose Up

-- When a run's records (snapshot rows, plan payloads and pre-images, the
-- target's messages) were removed after ORGSYNC_RETENTION; its counts and
-- the outcome of each item stay. NULL: not purged.
ALTER TABLE runs ADD COLUMN purged_at timestamptz;
CREATE INDEX runs_unpurged ON runs (started_at) WHERE purged_at IS NULL;

-- +goose Down
DROP INDEX runs_unpurged;
ALTER TABLE runs DROP COLUMN purged_at;
