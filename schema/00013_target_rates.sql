-- +goose Up

-- The write rate each worker found the target's quota allows (issue 13):
-- one row per target, company and worker process, written every few
-- seconds while the worker writes. The newest `learned` is where the next
-- worker starts (tonight's run starts where last night's ended); the rows
-- written lately are the workers writing now (`starter status`).
CREATE TABLE target_rates (
    target     text             NOT NULL,
    company    text             NOT NULL,
    worker     text             NOT NULL, -- host:pid
    rate       double precision NOT NULL, -- requests/s in force
    learned    double precision NOT NULL, -- requests/s to start from; 0 = not learned yet
    throttled  bigint           NOT NULL, -- throttled answers since the worker started
    updated_at timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (target, company, worker)
);

-- Throttled answers per run and stage, for the report.
CREATE TABLE stage_throttles (
    run_id    text   NOT NULL,
    kind      text   NOT NULL,
    throttled bigint NOT NULL,
    PRIMARY KEY (run_id, kind)
);

-- +goose Down
DROP TABLE stage_throttles;
DROP TABLE target_rates;
