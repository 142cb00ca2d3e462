-- Group (corporate) subscriptions: a company's subscription (the manager's
-- account's, paying the plan's price once per seat) with its GSTIN, the
-- state its first two digits name, the seats bought and `seats_taken`, the
-- cap's counter: a seat is taken only while it is under `seats`, in the
-- transaction that inserts it, so seat N+1 is refused however many join at
-- once. A seat is held until the manager removes it (removed_at), which frees
-- it for another reader. Invitations and confirmations of an address at the
-- company's domain are single-use tokens, stored hashed. B2B invoices carry
-- the buyer's GSTIN.
CREATE TABLE group_subscriptions (
    id              INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL UNIQUE REFERENCES subscriptions (id) ON DELETE CASCADE,
    manager_id      BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    company         TEXT NOT NULL,
    gstin           TEXT NOT NULL,
    buyer_state     TEXT NOT NULL,
    seats           BIGINT NOT NULL,
    seats_taken     BIGINT NOT NULL DEFAULT 0,
    domain          TEXT,
    join_code       TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL
);
CREATE INDEX group_subscriptions_manager ON group_subscriptions (manager_id);

CREATE TABLE group_seats (
    id         INTEGER PRIMARY KEY,
    group_id   BIGINT NOT NULL REFERENCES group_subscriptions (id) ON DELETE CASCADE,
    reader_id  BIGINT NOT NULL REFERENCES readers (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    joined_at  BIGINT NOT NULL,
    removed_at BIGINT
);
CREATE UNIQUE INDEX group_seats_held ON group_seats (group_id, reader_id) WHERE removed_at IS NULL;
CREATE INDEX group_seats_reader ON group_seats (reader_id);

CREATE TABLE group_invites (
    token_hash TEXT PRIMARY KEY,
    group_id   BIGINT NOT NULL REFERENCES group_subscriptions (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    reader_id  BIGINT REFERENCES readers (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX group_invites_group ON group_invites (group_id);

ALTER TABLE invoices ADD COLUMN buyer_gstin TEXT;

-- A seat decides its holder's access (0012_access_counter).
CREATE TRIGGER group_seats_insert_bumps_access AFTER INSERT ON group_seats
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER group_seats_update_bumps_access AFTER UPDATE ON group_seats
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER group_seats_delete_bumps_access AFTER DELETE ON group_seats
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;
