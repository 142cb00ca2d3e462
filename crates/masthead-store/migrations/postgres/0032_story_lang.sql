-- Each story's language, a BCP 47 tag ("hi", "en", "en-IN"): chosen in the
-- newsroom, taken from wire copy that says it, else read from the script of
-- the story's text when it is saved. Stories stored before this column have
-- none (NULL) and are read as their script says, as they were before; a
-- revision keeps the language it was saved with.
ALTER TABLE articles ADD COLUMN lang TEXT;
ALTER TABLE article_revisions ADD COLUMN lang TEXT;
