-- Sections are content too: a section marked premium (or renamed, added,
-- reordered) must reach the access decision and the navigation on the next
-- request on every instance, so every change to one bumps the content
-- counter in its own transaction, as a story edit does (0010).
CREATE TRIGGER sections_insert_bumps_content AFTER INSERT ON sections
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
CREATE TRIGGER sections_update_bumps_content AFTER UPDATE ON sections
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
CREATE TRIGGER sections_delete_bumps_content AFTER DELETE ON sections
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
