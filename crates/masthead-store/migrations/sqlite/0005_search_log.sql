-- The search index's change log: every write to a story appends its id, in
-- the same transaction, and each instance's index catches up from here.
-- AUTOINCREMENT so a sequence number is never reused.
CREATE TABLE search_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL
);

-- Stories stored before the log existed are logged once, so indexes built
-- from the log see them.
INSERT INTO search_log (article_id) SELECT id FROM articles ORDER BY id;
