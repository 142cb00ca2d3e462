-- Curated newsletters (issue 16).
--
-- A newsletter is a list readers join; `cadence` says when it goes out
-- ("daily 07:00", "weekly mon 08:00", publisher's time) and `sections`, when
-- not empty, lets it assemble itself at that time from those sections' latest
-- stories. Subscriber-only lists go only to readers holding the newsletters
-- benefit at send time.
CREATE TABLE newsletters (
    id               INTEGER PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    cadence          TEXT NOT NULL,
    sections         TEXT NOT NULL DEFAULT '',
    subscribers_only BIGINT NOT NULL DEFAULT 0,
    position         BIGINT NOT NULL DEFAULT 0
);

-- One row per address and list. `pending` until the address confirms
-- (double opt-in: only the confirmation token's SHA-256 is kept), then
-- `confirmed`, or `unsubscribed`. The unsubscribe token is random, per
-- address and list, and goes in every message's List-Unsubscribe header.
CREATE TABLE newsletter_subscriptions (
    id                 INTEGER PRIMARY KEY,
    newsletter_id      BIGINT NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    email              TEXT NOT NULL,
    reader_id          BIGINT REFERENCES readers (id) ON DELETE SET NULL,
    state              TEXT NOT NULL,
    confirm_token_hash TEXT UNIQUE,
    confirm_expires_at BIGINT,
    unsubscribe_token  TEXT NOT NULL UNIQUE,
    created_at         BIGINT NOT NULL,
    confirmed_at       BIGINT,
    unsubscribed_at    BIGINT,
    UNIQUE (newsletter_id, email)
);
CREATE INDEX newsletter_subscriptions_reader ON newsletter_subscriptions (reader_id);
CREATE INDEX newsletter_subscriptions_email ON newsletter_subscriptions (email);

-- An issue: its subject, the editor's intro (Markdown) and the stories it
-- carries (ids, in order). `scheduled_at` is when it is due; `sent_at` is
-- set once every recipient has been dealt with. An automatic digest has
-- `slot` set, unique per list, so two instances never assemble one twice.
CREATE TABLE newsletter_issues (
    id            INTEGER PRIMARY KEY,
    newsletter_id BIGINT NOT NULL REFERENCES newsletters (id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    intro         TEXT NOT NULL DEFAULT '',
    story_ids     TEXT NOT NULL,
    scheduled_at  BIGINT NOT NULL,
    slot          BIGINT,
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT,
    UNIQUE (newsletter_id, slot)
);
CREATE INDEX newsletter_issues_due ON newsletter_issues (scheduled_at) WHERE sent_at IS NULL;

-- Who has been sent which issue: a row is the claim, made before the
-- message leaves; `done_at` once it has (or once the recipient was skipped:
-- a lapsed subscriber). A claim never finished within the lease is taken
-- again, so a crash loses nobody and repeats at most what was in flight.
CREATE TABLE newsletter_deliveries (
    issue_id        BIGINT NOT NULL REFERENCES newsletter_issues (id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL REFERENCES newsletter_subscriptions (id) ON DELETE CASCADE,
    claimed_at      BIGINT NOT NULL,
    done_at         BIGINT,
    outcome         TEXT,
    PRIMARY KEY (issue_id, subscription_id)
);
