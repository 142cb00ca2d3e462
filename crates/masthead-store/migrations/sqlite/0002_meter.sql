-- Server-wide settings (the cookie-signing secret) and the metered paywall:
-- one counter row per meter and month, and the distinct stories read in it.
-- A meter is 'v:<visitor id>' for a browser or 'r:<reader id>' for an account.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE meter_months (
    meter TEXT NOT NULL,
    month BIGINT NOT NULL,
    used  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (meter, month)
);

CREATE TABLE meter_reads (
    meter      TEXT NOT NULL,
    month      BIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    read_at    BIGINT NOT NULL,
    PRIMARY KEY (meter, month, article_id)
);
