-- What the pages show of a gift. `anonymous`: the buyer chose to leave their
-- name out — the recipient's mail and account page say only that it is a
-- gift (gifts bought before this were mailed with the buyer's address, so
-- they stay named). An invoice paying for a gift says so on its line: the
-- recipient's address and the plan's term as they were when it was issued
-- (`gift_recipient`, `gift_term_months`; empty for every other invoice),
-- filled in here for the gifts' invoices issued before.
ALTER TABLE gifts ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE invoices ADD COLUMN gift_recipient TEXT;
ALTER TABLE invoices ADD COLUMN gift_term_months BIGINT;
UPDATE invoices SET
    gift_recipient = (SELECT g.recipient_email FROM gifts g WHERE g.subscription_id = invoices.subscription_id),
    gift_term_months = (SELECT p.term_months FROM gifts g JOIN plans p ON p.id = g.plan_id
                        WHERE g.subscription_id = invoices.subscription_id)
WHERE subscription_id IN (SELECT subscription_id FROM gifts);
