-- Retention offers: an admin marks at most one offer (a discount) as the one
-- shown to readers who cancel; a subscription decides on it once — accepted
-- (a `retention_accepted` ledger entry with its offer_id, pricing the next
-- charge or every one) or declined by cancelling — and is never shown it
-- again (the primary key of retention_decisions). Pauses need no table: they
-- are `paused` ledger entries, their end in period_until.
ALTER TABLE offers ADD COLUMN retention BOOLEAN NOT NULL DEFAULT FALSE;
CREATE UNIQUE INDEX offers_one_retention ON offers (retention) WHERE retention;

CREATE TABLE retention_decisions (
    subscription_id BIGINT PRIMARY KEY REFERENCES subscriptions (id) ON DELETE CASCADE,
    offer_id        BIGINT REFERENCES offers (id),
    accepted        BOOLEAN NOT NULL,
    decided_at      BIGINT NOT NULL
);
