-- Billing operations: what each plan gives, the payment method a renewal
-- charges, the buyer's invoice details, renewal attempts and reminder
-- notices (one row each, so two job runners never charge or mail twice),
-- GST invoices numbered without gaps per financial year, the partner-code
-- pool and the house ads shown to readers without the ad-free benefit.
ALTER TABLE plans ADD COLUMN benefits TEXT NOT NULL
    DEFAULT 'premium_stories,partner_access,epaper,newsletters,smart_investor,archive,ad_free,all_devices';
ALTER TABLE plans ADD COLUMN partner_eligible BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE plans SET partner_eligible = TRUE WHERE term_months >= 12;
UPDATE plans SET benefits = 'premium_stories,epaper,newsletters,smart_investor,archive,ad_free,all_devices'
    WHERE term_months < 12;

ALTER TABLE subscriptions ADD COLUMN payment_method TEXT;

CREATE TABLE billing_profiles (
    reader_id BIGINT PRIMARY KEY REFERENCES readers (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    state     TEXT NOT NULL
);

CREATE TABLE renewal_attempts (
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    period_end      BIGINT NOT NULL,
    attempted_at    BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, period_end)
);

CREATE TABLE billing_notices (
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    period_end      BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, kind, period_end)
);

CREATE TABLE invoice_counters (
    financial_year BIGINT PRIMARY KEY,
    last_sequence  BIGINT NOT NULL
);

CREATE TABLE invoices (
    number          TEXT PRIMARY KEY,
    financial_year  BIGINT NOT NULL,
    sequence        BIGINT NOT NULL,
    provider        TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    reader_id       BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    issued_at       BIGINT NOT NULL,
    plan_name       TEXT NOT NULL,
    period_from     BIGINT NOT NULL,
    period_until    BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    taxable         BIGINT NOT NULL,
    cgst            BIGINT NOT NULL,
    sgst            BIGINT NOT NULL,
    igst            BIGINT NOT NULL,
    buyer_name      TEXT NOT NULL,
    buyer_state     TEXT NOT NULL,
    seller_name     TEXT NOT NULL,
    seller_address  TEXT NOT NULL,
    seller_gstin    TEXT NOT NULL,
    seller_state    TEXT NOT NULL,
    sac             TEXT NOT NULL,
    UNIQUE (financial_year, sequence),
    UNIQUE (provider, payment_id),
    FOREIGN KEY (provider, payment_id) REFERENCES payments (provider, payment_id)
);
CREATE INDEX invoices_reader ON invoices (reader_id);

CREATE TABLE partner_codes (
    code            TEXT PRIMARY KEY,
    uploaded_at     BIGINT NOT NULL,
    subscription_id BIGINT REFERENCES subscriptions (id) ON DELETE SET NULL,
    block           BIGINT,
    assigned_at     BIGINT,
    UNIQUE (subscription_id, block)
);

CREATE TABLE house_ads (
    slot       TEXT PRIMARY KEY,
    headline   TEXT NOT NULL,
    body       TEXT NOT NULL,
    link_url   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
