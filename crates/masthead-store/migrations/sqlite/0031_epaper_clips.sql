-- E-paper clips (issue 17): one article region of an edition, shared by an
-- entitled reader as a page anyone may open until it expires (14 days) or is
-- revoked. A clip keeps its own copy of the region's picture (a blob) and
-- text, so a re-imported edition leaves it as it was shared. `token` is the
-- clip page's random address.
CREATE TABLE epaper_clips (
    id           INTEGER PRIMARY KEY,
    token        TEXT NOT NULL UNIQUE,
    reader_id    BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    day          TEXT NOT NULL,
    edition      TEXT NOT NULL,
    page         BIGINT NOT NULL,
    region       BIGINT NOT NULL,
    headline     TEXT NOT NULL,
    text         TEXT NOT NULL,
    image_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX epaper_clips_reader ON epaper_clips (reader_id, created_at);
