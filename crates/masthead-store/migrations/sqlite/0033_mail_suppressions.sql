-- Addresses no newsletter goes to any more (issue 16): the mail provider
-- reported a hard bounce or a spam complaint through its webhook. One row
-- per address, for every list; the first report is kept (a replayed or
-- repeated report changes nothing). `reason` is 'bounce' or 'complaint',
-- `provider` 'sendgrid' or 'postmark', `detail` what the provider said.
CREATE TABLE mail_suppressions (
    email         TEXT PRIMARY KEY,
    reason        TEXT NOT NULL,
    provider      TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    suppressed_at BIGINT NOT NULL
);
