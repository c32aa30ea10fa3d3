-- Insights kept once computed (docs/architecture.md, "Insights: computed once per change").
--
-- A person's insights change only when their check-ins or habits do, or when their day turns;
-- they are read on every visit to the wellness page. So the document the wellness program built
-- is kept per person and window, with the day and zone it was built for and the version of the
-- person's wellness data it was built from; a read serves it while all three still hold.
--
-- wellness_versions.version counts changes to a person's check-ins, habits and completions. The
-- triggers below raise it in the same transaction as the change, and the insights statement reads
-- it in the same snapshot as the data, so a document built from data that has since changed
-- carries an old version and is never served (even when it was stored after the change committed).
--
-- The kept document holds what mood_checkins and habits hold in the clear (measures, tags, habit
-- names), never a note. It is derived data: the account export carries the rows it is built from,
-- and deleting the account deletes it (ON DELETE CASCADE). At most one row per window per person.

CREATE TABLE wellness_versions (
	user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	version bigint NOT NULL CHECK (version > 0)
);

CREATE TABLE mood_insights_cache (
	user_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	days     smallint NOT NULL CHECK (days IN (7, 30, 90)),
	timezone text NOT NULL CHECK (char_length(timezone) BETWEEN 1 AND 64),
	today    date NOT NULL,
	version  bigint NOT NULL CHECK (version >= 0),   -- 0: built before the person's first change
	body     text NOT NULL,
	PRIMARY KEY (user_id, days)
);

-- Raise the person's version. The person may be going away (their account's deletion cascades
-- here): then there is no users row, and nothing to count.
CREATE FUNCTION astral_wellness_changed() RETURNS trigger
	LANGUAGE plpgsql
	AS $$
	DECLARE
		who uuid;
	BEGIN
		IF TG_OP = 'DELETE' THEN
			who := OLD.user_id;
		ELSE
			who := NEW.user_id;
		END IF;
		INSERT INTO wellness_versions AS v (user_id, version)
			SELECT u.id, 1 FROM users u WHERE u.id = who
			ON CONFLICT (user_id) DO UPDATE SET version = v.version + 1;
		RETURN NULL;
	END
	$$;

CREATE TRIGGER mood_checkins_changed AFTER INSERT OR UPDATE OR DELETE ON mood_checkins
	FOR EACH ROW EXECUTE FUNCTION astral_wellness_changed();
CREATE TRIGGER habits_changed AFTER INSERT OR UPDATE OR DELETE ON habits
	FOR EACH ROW EXECUTE FUNCTION astral_wellness_changed();
CREATE TRIGGER habit_completions_changed AFTER INSERT OR UPDATE OR DELETE ON habit_completions
	FOR EACH ROW EXECUTE FUNCTION astral_wellness_changed();

GRANT SELECT, INSERT, UPDATE ON wellness_versions TO astral_app;
GRANT SELECT, INSERT, UPDATE ON mood_insights_cache TO astral_app;

ALTER TABLE wellness_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE wellness_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY wellness_versions_self ON wellness_versions TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());
CREATE POLICY wellness_versions_owner ON wellness_versions TO astral_owner USING (true);

ALTER TABLE mood_insights_cache ENABLE ROW LEVEL SECURITY;
ALTER TABLE mood_insights_cache FORCE ROW LEVEL SECURITY;
CREATE POLICY mood_insights_cache_self ON mood_insights_cache TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());
CREATE POLICY mood_insights_cache_owner ON mood_insights_cache TO astral_owner USING (true);
