-- House ads are filed under the content counter too: every instance keeps
-- them in memory and reads them again when the counter moves, so an ad an
-- admin edits reaches every instance on its next request (it used to be read
-- again every 30 seconds, and at once only on the instance that saved it).
CREATE TRIGGER house_ads_insert_bumps_content AFTER INSERT ON house_ads
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
CREATE TRIGGER house_ads_update_bumps_content AFTER UPDATE ON house_ads
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
CREATE TRIGGER house_ads_delete_bumps_content AFTER DELETE ON house_ads
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'content';
END;
