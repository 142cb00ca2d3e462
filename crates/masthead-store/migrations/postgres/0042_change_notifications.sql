-- Every update of the change counters also notifies `masthead_changes`, which
-- PostgreSQL delivers when the change commits to every connection listening
-- on it: each instance keeps one listening and reads the counters again only
-- after a notification (crates/masthead-store/src/changes.rs), so a page view
-- costs no round trip while nothing changed. One statement-level trigger on
-- the counters covers every trigger that bumps them; notifications repeated
-- within a transaction are delivered once.
CREATE FUNCTION notify_change_counters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('masthead_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER change_counters_notify AFTER UPDATE ON change_counters
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change_counters();
