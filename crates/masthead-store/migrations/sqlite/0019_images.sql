-- Pictures: each image is an original kept once (a blob) and the variants
-- made from it (a few widths in WebP and JPEG, also blobs), with what the
-- page says about it. A story's images are in order, the first its lead.
-- `source` is where the original came from (a wire picture's URL), so a
-- re-import finds the image it already has instead of fetching it again.
CREATE TABLE images (
    id              INTEGER PRIMARY KEY,
    original_sha256 TEXT NOT NULL REFERENCES blobs (sha256),
    content_type    TEXT NOT NULL,
    width           BIGINT NOT NULL,
    height          BIGINT NOT NULL,
    caption         TEXT,
    credit          TEXT,
    alt             TEXT,
    source          TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX images_source ON images (source) WHERE source IS NOT NULL;

CREATE TABLE image_variants (
    image_id BIGINT NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    format   TEXT NOT NULL,
    width    BIGINT NOT NULL,
    height   BIGINT NOT NULL,
    sha256   TEXT NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (image_id, format, width)
);
-- The media route serves a variant by its name, and nothing else.
CREATE INDEX image_variants_sha256 ON image_variants (sha256);

CREATE TABLE article_images (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    position   BIGINT NOT NULL,
    image_id   BIGINT NOT NULL REFERENCES images (id),
    PRIMARY KEY (article_id, position)
);
