-- Meter trim. Past months' meters are of no use to the paywall; a periodic
-- trim (Store::trim_meters) deletes them and keeps, per month and kind of
-- meter ('v' visitor, 'r' reader), what a funnel needs: how many meters
-- there were, the free stories they read, and how many reached the limit.
--
-- The meter tables are keyed month first, so one month's rows are one range
-- of each primary key: the trim walks it in chunks without an extra index
-- (lookups give both columns, so they are as fast either way).
CREATE TABLE meter_month_totals (
    month    BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    meters   BIGINT NOT NULL,
    reads    BIGINT NOT NULL,
    at_limit BIGINT NOT NULL,
    PRIMARY KEY (month, kind)
) WITHOUT ROWID;

CREATE TABLE meter_months_by_month (
    meter TEXT NOT NULL,
    month BIGINT NOT NULL,
    used  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (month, meter)
) WITHOUT ROWID;
INSERT INTO meter_months_by_month (meter, month, used) SELECT meter, month, used FROM meter_months;
DROP TABLE meter_months;
ALTER TABLE meter_months_by_month RENAME TO meter_months;

CREATE TABLE meter_reads_by_month (
    meter      TEXT NOT NULL,
    month      BIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    read_at    BIGINT NOT NULL,
    PRIMARY KEY (month, meter, article_id)
) WITHOUT ROWID;
INSERT INTO meter_reads_by_month (meter, month, article_id, read_at)
    SELECT meter, month, article_id, read_at FROM meter_reads;
DROP TABLE meter_reads;
ALTER TABLE meter_reads_by_month RENAME TO meter_reads;
