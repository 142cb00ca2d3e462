-- Every update of the content change counter (stories, the home lead,
-- sections, house ads) also notifies `masthead_content_changes`, which
-- PostgreSQL delivers when the change commits to every connection listening
-- on it: each instance keeps one listening and reads the content counter
-- again only after a notification (crates/masthead-store/src/changes.rs), so
-- a page view costs no round trip for it while nothing changed. The access
-- counter notifies no one: it is read on every page view that needs it.
-- Notifications repeated within a transaction are delivered once.
CREATE FUNCTION notify_content_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('masthead_content_changes', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER content_counter_notify AFTER UPDATE ON change_counters
    FOR EACH ROW WHEN (NEW.name = 'content') EXECUTE FUNCTION notify_content_changes();
