-- House ads are filed under the content counter too: every instance keeps
-- them in memory and reads them again when the counter moves, so an ad an
-- admin edits reaches every instance on its next request (it used to be read
-- again every 30 seconds, and at once only on the instance that saved it).
CREATE TRIGGER house_ads_bump_content AFTER INSERT OR UPDATE OR DELETE ON house_ads
    FOR EACH STATEMENT EXECUTE FUNCTION bump_content_counter();
