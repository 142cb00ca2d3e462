-- Sections are content too: a section marked premium (or renamed, added,
-- reordered) must reach the access decision and the navigation on the next
-- request on every instance, so every change to one bumps the content
-- counter in its own transaction, as a story edit does (0010).
CREATE TRIGGER sections_bump_content AFTER INSERT OR UPDATE OR DELETE ON sections
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_counter();
