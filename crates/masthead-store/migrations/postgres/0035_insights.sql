-- Insights: the reader funnel, counted first-party where access is decided.
--
-- insight_events holds one row per event (a metered read, the meter running
-- out, a paywall shown, a registration, a checkout started, a payment, a
-- cancellation, a newsletter sign-up), written in batches by the store's
-- event log. A visitor is the visitor cookie's random id, never an address
-- or a user agent. "No story" is 0 and "no section, reason or variant" is
-- '', so the daily counts can be keyed on them. `day` is the publisher's
-- calendar day (YYYY-MM-DD); `reader` the account, on the events an account
-- makes (registration, checkout, payment, cancellation), so a payment can be
-- credited to the story its checkout was started from.
CREATE TABLE insight_events (
    id      BIGSERIAL PRIMARY KEY,
    day     TEXT NOT NULL,
    at      BIGINT NOT NULL,
    visitor TEXT NOT NULL,
    kind    TEXT NOT NULL,
    story   BIGINT NOT NULL DEFAULT 0,
    section TEXT NOT NULL DEFAULT '',
    reason  TEXT NOT NULL DEFAULT '',
    variant TEXT NOT NULL DEFAULT '',
    reader  BIGINT
);
CREATE INDEX insight_events_by_day ON insight_events (day);
-- The credit lookups: a visitor's last story, a reader's last checkout.
CREATE INDEX insight_events_by_visitor ON insight_events (visitor, at);
CREATE INDEX insight_events_by_reader ON insight_events (reader, at) WHERE reader IS NOT NULL;

-- Days older than the raw window, aggregated (Store::roll_up_insights): per
-- day, breakdown ('all' with key '', 'section', 'story', 'variant') and key,
-- the events of each kind and the distinct visitors who made them; kind
-- 'any' counts a key's visitors whatever they did.
CREATE TABLE insight_days (
    day      TEXT NOT NULL,
    dim      TEXT NOT NULL,
    key      TEXT NOT NULL,
    kind     TEXT NOT NULL,
    events   BIGINT NOT NULL,
    visitors BIGINT NOT NULL,
    PRIMARY KEY (day, dim, key, kind)
);
