-- The funnel's metered reads are the meter's own rows (issue 20): a
-- logged-out visitor's read is already one `meter_reads` row, so it is no
-- longer written a second time as an `insight_events` row. The row gains
-- what the funnel keys it on: the publisher's calendar day as YYYYMMDD
-- (0 on rows written before this migration, whose reads are still events)
-- and the experiment variant the visitor saw ('' for none). A meter's
-- visitor is its key without the `v:` prefix.
ALTER TABLE meter_reads ADD COLUMN day BIGINT NOT NULL DEFAULT 0;
ALTER TABLE meter_reads ADD COLUMN variant TEXT NOT NULL DEFAULT '';

-- Identical events of one batch (a visitor reloading one paywall) are one
-- row with their number.
ALTER TABLE insight_events ADD COLUMN n BIGINT NOT NULL DEFAULT 1;

-- The last day (YYYYMMDD) whose meter rows are in the daily counts: the
-- roll-up moves it on, and a count reads meter rows only after it.
INSERT INTO settings (name, value) VALUES ('insights_rolled_through', '0');
