-- Paywall experiments, run by an admin (/newsroom/experiments): variants
-- with weights, each setting the meter limit and/or the paywall's copy and
-- highlighted plan (`variants`, JSON written and read by
-- masthead_insights::experiment). An experiment is a draft, then running
-- (at most one at a time: the partial unique index), then stopped with a
-- winner whose settings become everyone's (the latest winner is the
-- default until the next one). Every change bumps the access counter in
-- its own transaction, so every instance applies a start or a stop on its
-- next request.
CREATE TABLE experiments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    variants   TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'running', 'stopped')),
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    stopped_at BIGINT,
    winner     TEXT
);
CREATE UNIQUE INDEX experiments_one_running ON experiments (state) WHERE state = 'running';

CREATE TRIGGER experiments_insert_bumps_access AFTER INSERT ON experiments
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;
CREATE TRIGGER experiments_update_bumps_access AFTER UPDATE ON experiments
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;
CREATE TRIGGER experiments_delete_bumps_access AFTER DELETE ON experiments
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

-- The registration wall's grant: an account made from the wall (a visitor
-- whose variant has one) may read `meter_limit` stories on the meter in
-- `month` (the visitor's limit plus the wall's stories) instead of its own
-- limit. One per account and month; the meter's writer enforces it like any
-- limit, so concurrent reads cannot pass it.
CREATE TABLE meter_allowances (
    reader_id   BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    month       BIGINT NOT NULL,
    meter_limit BIGINT NOT NULL,
    PRIMARY KEY (reader_id, month)
);
