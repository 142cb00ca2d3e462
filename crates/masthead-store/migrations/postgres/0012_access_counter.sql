-- The access counter: bumped in the same transaction as any change to what
-- decides a signed-in reader's access (their account, sessions, grants,
-- subscriptions and their ledgers, the plans' benefits), so caches of
-- sessions and benefits kept at one value still hold while it has not moved.
-- A session's `last_seen_at` is not access and does not bump it.
INSERT INTO change_counters (name, value) VALUES ('access', 0);

-- Deferred to commit, so the counter's row lock is the last lock a
-- transaction takes: it cannot be held while waiting for another.
CREATE FUNCTION bump_access_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'access';
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER readers_bumps_access AFTER UPDATE OF role, email, verified_at OR DELETE ON readers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_access_counter();

CREATE CONSTRAINT TRIGGER sessions_bumps_access AFTER UPDATE OF revoked_at, reader_id, token_hash OR DELETE ON sessions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_access_counter();

CREATE CONSTRAINT TRIGGER entitlement_grants_bumps_access AFTER INSERT OR UPDATE OR DELETE ON entitlement_grants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_access_counter();

CREATE CONSTRAINT TRIGGER subscriptions_bumps_access AFTER INSERT OR UPDATE OR DELETE ON subscriptions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_access_counter();

CREATE CONSTRAINT TRIGGER subscription_events_bumps_access AFTER INSERT OR UPDATE OR DELETE ON subscription_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_access_counter();

CREATE CONSTRAINT TRIGGER plans_bumps_access AFTER INSERT OR UPDATE OR DELETE ON plans
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_access_counter();
