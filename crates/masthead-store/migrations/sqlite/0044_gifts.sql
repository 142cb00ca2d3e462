-- Gift subscriptions. A gift is bought like a subscription — a subscription
-- row of the buyer's (its `subscription_id`) pays for it through the same
-- checkout, webhook and invoice — but that purchase gives the buyer nothing
-- and renews nothing: it is left out of the buyer's subscriptions and of the
-- renewal job (`NOT IN (SELECT subscription_id FROM gifts)`). The recipient
-- is mailed the code on `deliver_on` (claimed once by `delivered_at`), and
-- whoever redeems it (once: `redeemed_by` is set only while it is empty) gets
-- a `gifted` ledger entry — the purchase's payment_id and the gift's term in
-- period_from/period_until — on the subscription it extends
-- (`redeemed_subscription`). Refunding the purchase takes the gift back.
CREATE TABLE gifts (
    id                    INTEGER PRIMARY KEY,
    code                  TEXT NOT NULL UNIQUE,
    subscription_id       BIGINT NOT NULL UNIQUE REFERENCES subscriptions (id) ON DELETE CASCADE,
    plan_id               BIGINT NOT NULL REFERENCES plans (id),
    buyer_id              BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    recipient_email       TEXT NOT NULL,
    message               TEXT NOT NULL,
    deliver_on            TEXT NOT NULL,
    deliver_at            BIGINT NOT NULL,
    delivered_at          BIGINT,
    redeemed_by           BIGINT REFERENCES readers (id) ON DELETE SET NULL,
    redeemed_subscription BIGINT REFERENCES subscriptions (id) ON DELETE SET NULL,
    redeemed_at           BIGINT,
    created_at            BIGINT NOT NULL
);
CREATE INDEX gifts_delivery ON gifts (deliver_at) WHERE delivered_at IS NULL;
