-- +goose Up

-- What orgsync believes the target holds: one row per entity it created
-- (or an admin mapped with the External Key sheet). `state` is the last
-- body applied, so an update can be undone and a delete re-created.
CREATE TABLE mappings (
    target       text        NOT NULL,
    company      text        NOT NULL,
    kind         text        NOT NULL,
    ext_key      text        NOT NULL,
    content_hash bytea       NOT NULL,
    state        jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target, company, kind, ext_key)
);

CREATE TABLE runs (
    run_id      text        PRIMARY KEY,
    workflow_id text        NOT NULL,
    target      text        NOT NULL,
    company     text        NOT NULL,
    status      text        NOT NULL DEFAULT 'running',
    stage       text        NOT NULL DEFAULT '',
    input       jsonb       NOT NULL DEFAULT '{}',
    plan        jsonb       NOT NULL DEFAULT '{}',
    report      jsonb,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX runs_company ON runs (target, company, started_at DESC);

-- One sync per target and company at a time, whoever starts it (schedule,
-- UI, CLI): the holder's workflow and run id let a new run tell a live
-- holder from one that was terminated without releasing.
CREATE TABLE sync_locks (
    target      text        NOT NULL,
    company     text        NOT NULL,
    workflow_id text        NOT NULL,
    run_id      text        NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (target, company)
);

-- The source as read by one run. Unlogged: it is rebuilt from the source
-- whenever planning is retried, so it need not survive a crash.
CREATE UNLOGGED TABLE snapshot (
    run_id       text    NOT NULL,
    kind         text    NOT NULL,
    ext_key      text    NOT NULL,
    content_hash bytea   NOT NULL,
    payload      jsonb   NOT NULL,
    field        text,
    error        text,
    depth        int     NOT NULL DEFAULT 0
);
CREATE INDEX snapshot_key ON snapshot (run_id, kind, ext_key);

-- Which kinds a run has read: one fetch may load several kinds (Knox
-- derives positions from employees), and an empty source is still a load.
CREATE UNLOGGED TABLE snapshot_loads (
    run_id text NOT NULL,
    kind   text NOT NULL,
    rows   int  NOT NULL,
    PRIMARY KEY (run_id, kind)
);

-- The plan of one run and the outcome of each item. seq orders items in
-- apply order inside a (kind, wave), so the workflow hands out ranges, not
-- lists. op: create | update | delete | invalid.
-- status: pending | applied | failed | skipped | undone | undo_failed.
CREATE TABLE plan_items (
    run_id        text        NOT NULL,
    seq           int         NOT NULL,
    kind          text        NOT NULL,
    wave          int         NOT NULL,
    op            text        NOT NULL,
    ext_key       text        NOT NULL,
    payload       jsonb,
    content_hash  bytea,
    pre_image     jsonb,
    pre_hash      bytea,
    status        text        NOT NULL DEFAULT 'pending',
    attempts      int         NOT NULL DEFAULT 0,
    error_code    text,
    error_message text,
    field         text,
    applied_at    timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, seq)
);
CREATE INDEX plan_items_status ON plan_items (run_id, kind, status);

-- +goose Down
DROP TABLE plan_items;
DROP TABLE snapshot_loads;
DROP TABLE snapshot;
DROP TABLE sync_locks;
DROP TABLE runs;
DROP TABLE mappings;
