-- Change counters the read caches check on every request. Each is bumped by a
-- trigger in the same transaction as the change it counts, so whoever reads a
-- new value can also read the change, on every instance. The counter's row
-- lock orders the bumps as the transactions commit, which a sequence would not.
CREATE TABLE change_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('content', 0);

CREATE FUNCTION bump_content_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
    RETURN NULL;
END
$$;

-- Every write to a story appends to the search index's change log.
CREATE TRIGGER search_log_bumps_content AFTER INSERT ON search_log
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_counter();

-- The editors' choice of home-page lead is content too.
CREATE FUNCTION bump_content_counter_for_home_lead() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' AND OLD.name = 'home_lead') OR (TG_OP <> 'DELETE' AND NEW.name = 'home_lead') THEN
        UPDATE change_counters SET value = value + 1 WHERE name = 'content';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER home_lead_bumps_content AFTER INSERT OR UPDATE OR DELETE ON settings
    FOR EACH ROW EXECUTE FUNCTION bump_content_counter_for_home_lead();
