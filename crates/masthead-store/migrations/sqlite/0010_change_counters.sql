-- Change counters the read caches check on every request. Each is bumped by a
-- trigger in the same transaction as the change it counts, so whoever reads a
-- new value can also read the change, on every instance and from every
-- process writing to the database (a `masthead wire import` beside the server).
CREATE TABLE change_counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('content', 0);

-- Every write to a story appends to the search index's change log.
CREATE TRIGGER search_log_bumps_content AFTER INSERT ON search_log
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;

-- The editors' choice of home-page lead is content too.
CREATE TRIGGER home_lead_insert_bumps_content AFTER INSERT ON settings WHEN NEW.name = 'home_lead'
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
CREATE TRIGGER home_lead_update_bumps_content AFTER UPDATE ON settings WHEN NEW.name = 'home_lead'
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
CREATE TRIGGER home_lead_delete_bumps_content AFTER DELETE ON settings WHEN OLD.name = 'home_lead'
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
