-- Payments that were not the price due (the plan's price in rupees): stored
-- with the payment (money did arrive), never applied — no term, no invoice —
-- and listed for admins to review, with what was due beside what came.
CREATE TABLE payment_reviews (
    provider          TEXT NOT NULL,
    payment_id        TEXT NOT NULL,
    subscription_id   BIGINT NOT NULL REFERENCES subscriptions (id),
    plan_id           BIGINT NOT NULL REFERENCES plans (id),
    expected_amount   BIGINT NOT NULL,
    expected_currency TEXT NOT NULL,
    held_at           BIGINT NOT NULL,
    PRIMARY KEY (provider, payment_id),
    FOREIGN KEY (provider, payment_id) REFERENCES payments (provider, payment_id)
);
CREATE INDEX payment_reviews_held ON payment_reviews (held_at);
