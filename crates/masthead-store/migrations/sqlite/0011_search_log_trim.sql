-- Trimming the search index's change log (see src/search_log.rs).

-- How far each instance's index has applied the log, as it last reported.
CREATE TABLE search_instances (
    instance TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    seen_at  BIGINT NOT NULL
);

-- The log's head at moments in time: entries up to a mark older than the
-- retention window are at least that old, without a timestamp on every entry.
CREATE TABLE search_log_marks (
    seq       BIGINT PRIMARY KEY,
    marked_at BIGINT NOT NULL
);

-- The highest sequence number deleted so far: an index behind it has missed
-- changes the log no longer holds, and is rebuilt from the stories themselves.
CREATE TABLE search_log_trim (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    through BIGINT NOT NULL
);
INSERT INTO search_log_trim (id, through) VALUES (1, 0);
