-- Sections and stories. Instants are unix seconds (UTC) in BIGINT columns on
-- both backends, so every query reads the same on SQLite and PostgreSQL.
CREATE TABLE sections (
    slug     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    premium  BOOLEAN NOT NULL DEFAULT FALSE,
    position BIGINT NOT NULL
);

-- The publication's desks; admins can rename and reorder them.
INSERT INTO sections (slug, name, premium, position) VALUES
    ('world', 'World', FALSE, 1),
    ('economy', 'Economy', FALSE, 2),
    ('markets', 'Markets', FALSE, 3),
    ('companies', 'Companies', FALSE, 4),
    ('politics', 'Politics', FALSE, 5),
    ('technology', 'Technology', FALSE, 6),
    ('opinion', 'Opinion', FALSE, 7),
    ('smart-investor', 'The Smart Investor', TRUE, 8);

CREATE TABLE articles (
    id                 INTEGER PRIMARY KEY,
    slug               TEXT NOT NULL,
    section            TEXT NOT NULL REFERENCES sections (slug),
    headline           TEXT NOT NULL,
    standfirst         TEXT NOT NULL,
    body_html          TEXT NOT NULL,
    author             TEXT,
    agency             TEXT,
    dateline           TEXT,
    premium            BOOLEAN NOT NULL,
    status             TEXT NOT NULL,
    first_published_at BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

CREATE INDEX articles_published ON articles (first_published_at) WHERE status = 'published';
CREATE INDEX articles_section_published ON articles (section, first_published_at) WHERE status = 'published';
