-- The e-paper (issue 17): a day's printed edition, page by page.
--
-- An edition is one date and one edition name ("Main", "Mumbai"); importing
-- the same pair again replaces it whole, in one transaction. Every file is a
-- blob: the PDFs the edition came in (downloads are stamped from them) and
-- each page's three renderings (full ≥ 150 ppi for zoom, the page view's,
-- the thumbnail).
CREATE TABLE epaper_editions (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    edition     TEXT NOT NULL,
    pages       BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    UNIQUE (day, edition)
);

-- One row per page, numbered from 1 over the edition. `source_sha256` is the
-- PDF the page came from and `source_page` its index there (from 0). Sizes
-- are the full rendering's pixels; `text` is the page's extracted text.
CREATE TABLE epaper_pages (
    edition_id    BIGINT NOT NULL REFERENCES epaper_editions (id) ON DELETE CASCADE,
    number        BIGINT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    image_sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    view_sha256   TEXT NOT NULL REFERENCES blobs (sha256),
    thumb_sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    source_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    source_page   BIGINT NOT NULL,
    text          TEXT NOT NULL,
    PRIMARY KEY (edition_id, number)
);

-- Article regions: rectangles in the full rendering's pixels, numbered from 1
-- per page, with the printed headline, the text inside, and the story when known.
CREATE TABLE epaper_regions (
    edition_id BIGINT NOT NULL,
    page       BIGINT NOT NULL,
    number     BIGINT NOT NULL,
    x          BIGINT NOT NULL,
    y          BIGINT NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    headline   TEXT NOT NULL,
    article_id BIGINT REFERENCES articles (id) ON DELETE SET NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (edition_id, page, number),
    FOREIGN KEY (edition_id, page) REFERENCES epaper_pages (edition_id, number) ON DELETE CASCADE
);

-- Each stamped download: who took which edition when (the count publishers see).
CREATE TABLE epaper_downloads (
    id           INTEGER PRIMARY KEY,
    edition_id   BIGINT NOT NULL REFERENCES epaper_editions (id) ON DELETE CASCADE,
    reader_id    BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    at           BIGINT NOT NULL
);
CREATE INDEX epaper_downloads_edition ON epaper_downloads (edition_id);
