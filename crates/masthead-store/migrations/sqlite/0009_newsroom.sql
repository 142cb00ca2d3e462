-- The newsroom: who created a story, when it is due to go out (a scheduled
-- story stays a draft until then, so no read path can show it early), its
-- Markdown source and tags; every save as a numbered revision; and the rules
-- for each wire agency (publish straight to a section or queue for an editor,
-- and the feed URL to poll).
ALTER TABLE articles ADD COLUMN created_by BIGINT REFERENCES readers (id) ON DELETE SET NULL;
ALTER TABLE articles ADD COLUMN scheduled_at BIGINT;
ALTER TABLE articles ADD COLUMN body_markdown TEXT;
CREATE INDEX articles_scheduled ON articles (scheduled_at) WHERE scheduled_at IS NOT NULL;
CREATE INDEX articles_updated ON articles (updated_at);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);

CREATE TABLE article_revisions (
    id            INTEGER PRIMARY KEY,
    article_id    BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    number        BIGINT NOT NULL,
    saved_by      BIGINT REFERENCES readers (id) ON DELETE SET NULL,
    saved_at      BIGINT NOT NULL,
    action        TEXT NOT NULL,
    headline      TEXT NOT NULL,
    standfirst    TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    section       TEXT NOT NULL,
    author        TEXT,
    agency        TEXT,
    dateline      TEXT,
    premium       BOOLEAN NOT NULL,
    tags          TEXT NOT NULL,
    UNIQUE (article_id, number)
);

CREATE TABLE agency_rules (
    agency     TEXT PRIMARY KEY,
    publish    BOOLEAN NOT NULL,
    section    TEXT NOT NULL REFERENCES sections (slug),
    feed_url   TEXT,
    updated_at BIGINT NOT NULL
);
