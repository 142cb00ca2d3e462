-- Reader and staff accounts, their sessions (one per device; browser cookie
-- or API token, stored only as a SHA-256 hash), single-use tokens for email
-- verification and password reset, and entitlement grants (complimentary
-- access with an end date; subscriptions add their own source later).
CREATE TABLE readers (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'reader',
    verified_at   BIGINT,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    reader_id    BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_reader ON sessions (reader_id);

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    reader_id  BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

CREATE TABLE entitlement_grants (
    id        INTEGER PRIMARY KEY,
    reader_id BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    benefit   TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT,
    source    TEXT NOT NULL
);
CREATE INDEX entitlement_grants_reader ON entitlement_grants (reader_id);
