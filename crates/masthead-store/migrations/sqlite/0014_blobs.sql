-- Files the site serves that every instance must see (pictures, e-paper pages
-- and editions): kept in the database, the only shared state, addressed by
-- the SHA-256 of their bytes, so the same file is stored once.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
