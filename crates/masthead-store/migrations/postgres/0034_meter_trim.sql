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
);

ALTER TABLE meter_months DROP CONSTRAINT meter_months_pkey;
ALTER TABLE meter_months ADD PRIMARY KEY (month, meter);
ALTER TABLE meter_reads DROP CONSTRAINT meter_reads_pkey;
ALTER TABLE meter_reads ADD PRIMARY KEY (month, meter, article_id);
