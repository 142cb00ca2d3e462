-- Offers: a percentage or a fixed amount off chosen plans, or a free or paid
-- trial, valid between two instants, optionally capped, redeemed by code.
-- `redeemed` is the cap's counter: a redemption increments it only while it
-- is under the cap, in the transaction that creates the subscription, so the
-- cap is exact however many redeem at once. One redemption per reader per
-- offer (the primary key of offer_redemptions). The ledger records the offer
-- a subscription redeemed (`offer_applied`, with its offer_id), and invoices
-- the discount they gave.
CREATE TABLE offers (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    trial_days  BIGINT NOT NULL DEFAULT 0,
    forever     BOOLEAN NOT NULL,
    plan_ids    TEXT NOT NULL,
    valid_from  BIGINT NOT NULL,
    valid_until BIGINT NOT NULL,
    cap         BIGINT,
    redeemed    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);

CREATE TABLE offer_redemptions (
    offer_id        BIGINT NOT NULL REFERENCES offers (id),
    reader_id       BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    redeemed_at     BIGINT NOT NULL,
    PRIMARY KEY (offer_id, reader_id)
);

ALTER TABLE subscription_events ADD COLUMN offer_id BIGINT REFERENCES offers (id);

ALTER TABLE invoices ADD COLUMN discount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN offer_code TEXT;
