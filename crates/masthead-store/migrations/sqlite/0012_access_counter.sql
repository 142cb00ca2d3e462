-- The access counter: bumped in the same transaction as any change to what
-- decides a signed-in reader's access (their account, sessions, grants,
-- subscriptions and their ledgers, the plans' benefits), so caches of
-- sessions and benefits kept at one value still hold while it has not moved.
-- A session's `last_seen_at` is not access and does not bump it.
INSERT INTO change_counters (name, value) VALUES ('access', 0);

CREATE TRIGGER readers_update_bumps_access AFTER UPDATE OF role, email, verified_at ON readers
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER readers_delete_bumps_access AFTER DELETE ON readers
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER sessions_update_bumps_access AFTER UPDATE OF revoked_at, reader_id, token_hash ON sessions
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER sessions_delete_bumps_access AFTER DELETE ON sessions
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER entitlement_grants_insert_bumps_access AFTER INSERT ON entitlement_grants
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER entitlement_grants_update_bumps_access AFTER UPDATE ON entitlement_grants
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER entitlement_grants_delete_bumps_access AFTER DELETE ON entitlement_grants
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER subscriptions_insert_bumps_access AFTER INSERT ON subscriptions
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER subscriptions_update_bumps_access AFTER UPDATE ON subscriptions
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER subscriptions_delete_bumps_access AFTER DELETE ON subscriptions
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER subscription_events_insert_bumps_access AFTER INSERT ON subscription_events
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER subscription_events_update_bumps_access AFTER UPDATE ON subscription_events
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER subscription_events_delete_bumps_access AFTER DELETE ON subscription_events
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER plans_insert_bumps_access AFTER INSERT ON plans
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER plans_update_bumps_access AFTER UPDATE ON plans
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;

CREATE TRIGGER plans_delete_bumps_access AFTER DELETE ON plans
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
END;
