-- A group's mailed links stop working: `expires_at` is set when the link is
-- mailed (`masthead_domain::group::LinkKind::lasts`: an invitation 14 days, a
-- confirmation of an address at the company's domain 24 hours), and a seat is
-- taken with a link only before it, in the statement that spends it. Links
-- mailed before this migration get the same lifetimes from when they were
-- mailed. Expired links no longer count as waiting (the per-seat cap).
ALTER TABLE group_invites ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE group_invites
   SET expires_at = created_at + CASE WHEN reader_id IS NULL THEN 14 * 86400 ELSE 86400 END;
