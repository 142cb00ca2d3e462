-- Refunds and their GST credit notes. An admin's refund is a row here
-- before the provider is asked (the amount it reserves of the payment is
-- added to payments.refunded only while the refunds stay within what was
-- paid, in one conditional UPDATE, so concurrent refunds can never add up to
-- more); the provider's refund webhook, once, marks it refunded, appends a
-- `refunded` ledger entry (its payment_id, and in period_until when access
-- ends, as the admin chose) and issues the credit note, in one transaction.
-- A refund the provider reports failed gives its reservation back. Credit
-- notes are numbered without gaps per financial year in their own series,
-- each referencing the invoice it credits.
ALTER TABLE payments ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;

CREATE TABLE refunds (
    id              INTEGER PRIMARY KEY,
    provider        TEXT NOT NULL,
    payment_id      TEXT NOT NULL,
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    amount          BIGINT NOT NULL,
    access          TEXT NOT NULL,
    access_until    BIGINT,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL,
    provider_refund TEXT,
    requested_by    BIGINT REFERENCES readers (id) ON DELETE SET NULL,
    requested_at    BIGINT NOT NULL,
    settled_at      BIGINT,
    UNIQUE (provider, provider_refund),
    FOREIGN KEY (provider, payment_id) REFERENCES payments (provider, payment_id)
);
CREATE INDEX refunds_payment ON refunds (provider, payment_id);

CREATE TABLE credit_note_counters (
    financial_year BIGINT PRIMARY KEY,
    last_sequence  BIGINT NOT NULL
);

CREATE TABLE credit_notes (
    number          TEXT PRIMARY KEY,
    financial_year  BIGINT NOT NULL,
    sequence        BIGINT NOT NULL,
    refund_id       BIGINT NOT NULL UNIQUE REFERENCES refunds (id),
    invoice_number  TEXT NOT NULL REFERENCES invoices (number),
    subscription_id BIGINT NOT NULL REFERENCES subscriptions (id),
    reader_id       BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    issued_at       BIGINT NOT NULL,
    plan_name       TEXT NOT NULL,
    reason          TEXT NOT NULL,
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
    UNIQUE (financial_year, sequence)
);
CREATE INDEX credit_notes_reader ON credit_notes (reader_id);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_number);
