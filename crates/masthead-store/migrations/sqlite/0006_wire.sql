-- Wire copy: the agency's own id for a story and the version we hold, so a
-- newer version updates the story, the same one changes nothing, and a kill
-- takes it down. One story per agency and agency id.
ALTER TABLE articles ADD COLUMN wire_id TEXT;
ALTER TABLE articles ADD COLUMN wire_version BIGINT;
ALTER TABLE articles ADD COLUMN wire_version_at BIGINT;
CREATE UNIQUE INDEX articles_wire ON articles (agency, wire_id) WHERE wire_id IS NOT NULL;
