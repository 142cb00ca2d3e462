-- Subscriptions and their append-only ledger (the state is a fold of it),
-- provider webhooks stored before they are processed (one row per provider
-- event id, so retries and parallel deliveries do nothing twice), and
-- payments (one row per provider payment id).
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY,
    reader_id  BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    plan_id    BIGINT NOT NULL REFERENCES plans (id),
    provider   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_reader ON subscriptions (reader_id);

CREATE TABLE subscription_events (
    seq             INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    at              BIGINT NOT NULL,
    kind            TEXT NOT NULL,
    plan_id         BIGINT,
    payment_id      TEXT,
    period_from     BIGINT,
    period_until    BIGINT
);
CREATE INDEX subscription_events_subscription ON subscription_events (subscription_id);

CREATE TABLE webhook_events (
    provider     TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    processed_at BIGINT,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE payments (
    provider        TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    paid_at         BIGINT NOT NULL,
    PRIMARY KEY (provider, payment_id)
);
