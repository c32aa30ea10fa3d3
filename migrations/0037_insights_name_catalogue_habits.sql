-- Insights name each habit's catalogue entry (`catalog_id`), so that the web UI words a catalogue
-- habit in the page's language as its habits page does. The documents kept before this were
-- built without it: forget them, and each is built again on its next read (migration 0012).
DELETE FROM mood_insights_cache;
