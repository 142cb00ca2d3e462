-- PostgreSQL's `0042_change_notifications` makes every update of the content
-- counter notify the listening instances. SQLite needs nothing: each
-- instance watches `PRAGMA data_version`, which moves with every commit of
-- another connection (crates/masthead-store/src/changes.rs). The number is
-- kept so both backends' migrations stay in step.
SELECT 1;
