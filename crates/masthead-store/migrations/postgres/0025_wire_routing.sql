-- Wire copy as agencies send it: a story the agency flagged urgent is
-- breaking news from an instant (the home page shows it for a while); a
-- write-through or correction keeps the agency's note of what changed; the
-- reporter's byline is kept beside the agency's credit.
ALTER TABLE articles ADD COLUMN breaking_at BIGINT;
ALTER TABLE articles ADD COLUMN update_note TEXT;
ALTER TABLE articles ADD COLUMN wire_byline TEXT;
CREATE INDEX articles_breaking ON articles (breaking_at) WHERE breaking_at IS NOT NULL;

-- An agency rule's routing lines (codes -> section and tags) and the
-- urgency at or under which its copy is breaking (0: never).
ALTER TABLE agency_rules ADD COLUMN routes TEXT NOT NULL DEFAULT '';
ALTER TABLE agency_rules ADD COLUMN breaking_urgency BIGINT NOT NULL DEFAULT 2;

-- Packages: which items a package groups, in order, so the stories they
-- became are shown as related whatever order they arrive in. Items are
-- matched by their id alone: a package names its provider ("reuters.com")
-- where its items' credit line names the agency ("Reuters").
CREATE TABLE wire_packages (
    package_id TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    position   BIGINT NOT NULL,
    PRIMARY KEY (package_id, member_id)
);
CREATE INDEX wire_packages_member ON wire_packages (member_id);
CREATE INDEX articles_wire_id ON articles (wire_id) WHERE wire_id IS NOT NULL;
