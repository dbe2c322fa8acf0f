-- +goose Up

-- A dry run's plan kept for review (`starter plan`): its items stay in
-- plan_items under the run id; this row holds the digest of those items and
-- the sign-off. `starter apply` runs exactly that plan: a fresh plan whose
-- items differ is refused (or, with only-reviewed, applies only the items
-- still the same).
CREATE TABLE reviewed_plans (
    run_id          text        PRIMARY KEY,
    target          text        NOT NULL,
    company         text        NOT NULL,
    digest          bytea       NOT NULL,
    items           int         NOT NULL,
    stored_at       timestamptz NOT NULL DEFAULT now(),
    approved_by     text,
    approved_at     timestamptz,
    approved_digest bytea,
    applied_run     text,
    applied_at      timestamptz
);

-- What the target held (the mappings) when a run planned each kind: with
-- the run's plan items it gives the organisation before and after the run,
-- for the review picture and the org history (`starter org --as-of`,
-- `starter diff`). Pruned after ORGSYNC_ORG_HISTORY_DAYS.
CREATE TABLE org_states (
    run_id  text  NOT NULL,
    kind    text  NOT NULL,
    ext_key text  NOT NULL,
    state   jsonb NOT NULL,
    PRIMARY KEY (run_id, kind, ext_key)
);
-- Which kinds a run kept, so an empty organisation (a first sync) is told
-- apart from a state that retention has dropped.
CREATE TABLE org_state_kinds (
    run_id   text        NOT NULL,
    kind     text        NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, kind)
);

-- +goose Down
DROP TABLE org_state_kinds;
DROP TABLE org_states;
DROP TABLE reviewed_plans;
