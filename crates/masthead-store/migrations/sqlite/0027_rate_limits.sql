-- Rate limits every instance shares: one row per counted key (a client
-- address, an account, an account at one address, a sign-up address), how
-- many times it was counted in its window, and when that window ends. Rows
-- whose window has ended are swept away now and then.
CREATE TABLE rate_limits (
    name       TEXT PRIMARY KEY,
    hits       BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);
