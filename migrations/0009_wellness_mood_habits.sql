-- Wellness, part one: mood check-ins (one per user per local day, the note sealed with the user's
-- data key) and habits (a predefined catalogue, the habits a user tracks, one completion per habit
-- per day). Every row is its owner's alone: row-level security mirrors the checks in C.

-- ------------------------------------------------------------------ local days
-- The calendar day at unix time p_now in the IANA zone p_tz, or NULL when PostgreSQL does not know
-- the zone. Reading pg_timezone_names to validate a name walks the whole zone directory; trying
-- the conversion costs one subtransaction. PL/pgSQL: planned once per connection.
CREATE FUNCTION astral_local_day(p_tz text, p_now bigint) RETURNS date
	LANGUAGE plpgsql STABLE
	AS $$
	BEGIN
		RETURN (to_timestamp(p_now) AT TIME ZONE p_tz)::date;
	EXCEPTION WHEN invalid_parameter_value THEN
		RETURN NULL;
	END
	$$;
REVOKE ALL ON FUNCTION astral_local_day(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_local_day(text, bigint) TO astral_app;

-- ------------------------------------------------------------------ mood check-ins
-- The UNIQUE (user_id, day) index is also the access path of every read (history by range,
-- insights windows, the year in pixels, the export): a btree scans backwards as cheaply as
-- forwards, so no second (user_id, day DESC) index is kept.
CREATE TABLE mood_checkins (
	id         uuid PRIMARY KEY,
	user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	day        date NOT NULL,
	mood       smallint NOT NULL CHECK (mood BETWEEN 1 AND 5),
	anxiety    smallint NOT NULL CHECK (anxiety BETWEEN 1 AND 5),
	sleep      smallint NOT NULL CHECK (sleep BETWEEN 1 AND 5),
	energy     smallint NOT NULL CHECK (energy BETWEEN 1 AND 5),
	tags       text[] NOT NULL DEFAULT '{}'
	           CHECK (cardinality(tags) <= 8 AND array_position(tags, NULL) IS NULL
	                  AND tags <@ ARRAY['Grateful', 'Anxious', 'Tired', 'Hopeful', 'Stressed', 'Calm', 'Lonely',
	                                    'Productive']::text[]),
	note       bytea,          -- sealed with the user's data key, AAD mood_checkins|note|<id>
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	UNIQUE (user_id, day)
);

-- ------------------------------------------------------------------ habits
CREATE TABLE habit_catalog (
	id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{1,40}$'),
	name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
	category    text NOT NULL CHECK (category IN ('Health', 'Mindfulness', 'Movement', 'Connection', 'Rest')),
	description text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 300)
);

INSERT INTO habit_catalog (id, name, category, description) VALUES
	('drink-water', 'Drink 8 glasses of water', 'Health',
	 'Staying hydrated helps concentration, energy and mood.'),
	('take-medication', 'Take medication as prescribed', 'Health',
	 'Taking medication at the same time each day makes it easier to remember.'),
	('eat-fruit-vegetables', 'Eat fruit or vegetables with a meal', 'Health',
	 'Regular, varied meals keep energy steadier through the day.'),
	('limit-caffeine', 'No caffeine after noon', 'Health',
	 'Caffeine late in the day can make it harder to fall asleep and can feed anxiety.'),
	('meditate', 'Meditate for 10 minutes', 'Mindfulness',
	 'A few quiet minutes of attention to the breath can ease stress.'),
	('gratitude', 'Write down three good things', 'Mindfulness',
	 'Noticing what went well, however small, balances a day''s worries.'),
	('deep-breathing', 'Practise slow breathing', 'Mindfulness',
	 'Box breathing (in, hold, out, pause for four seconds each) calms the body.'),
	('screen-free-hour', 'Spend an hour screen-free', 'Mindfulness',
	 'Time away from feeds and notifications gives the mind room to rest.'),
	('walk-outside', 'Take a 20-minute walk outside', 'Movement',
	 'Daylight and gentle movement lift mood and help sleep.'),
	('stretch', 'Stretch for 5 minutes', 'Movement',
	 'Stretching releases tension that builds up while sitting.'),
	('exercise', 'Exercise for 30 minutes', 'Movement',
	 'Regular exercise is one of the best-supported ways to ease low mood and anxiety.'),
	('reach-out', 'Reach out to someone you trust', 'Connection',
	 'A message or a call keeps connections alive, even on hard days.'),
	('kind-act', 'Do one kind thing for someone', 'Connection',
	 'Small acts of kindness help the giver as well as the receiver.'),
	('share-a-meal', 'Share a meal or a conversation', 'Connection',
	 'Time with others, even briefly, eases loneliness.'),
	('regular-bedtime', 'Go to bed at a regular time', 'Rest',
	 'A steady sleep schedule is the foundation of good sleep.'),
	('no-screens-before-bed', 'No screens 30 minutes before bed', 'Rest',
	 'Screen light and stimulation keep the mind awake; a wind-down routine helps.'),
	('take-breaks', 'Take short breaks during the day', 'Rest',
	 'Short pauses between tasks prevent the day from running you down.');

-- A tracked habit: one from the catalogue (catalog_id, name and category NULL) or a custom one
-- (catalog_id NULL, its own name and category). A catalogue habit is tracked at most once per
-- user (NULLs are distinct, so custom habits are not limited by the UNIQUE).
CREATE TABLE habits (
	id         uuid PRIMARY KEY,
	user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	catalog_id text REFERENCES habit_catalog(id),
	name       text CHECK (char_length(name) BETWEEN 1 AND 80),
	category   text CHECK (category IN ('Health', 'Mindfulness', 'Movement', 'Connection', 'Rest')),
	created_at timestamptz NOT NULL,
	UNIQUE (user_id, catalog_id),
	UNIQUE (id, user_id),      -- the target of habit_completions' foreign key
	CHECK ((catalog_id IS NULL AND name IS NOT NULL AND category IS NOT NULL)
	       OR (catalog_id IS NOT NULL AND name IS NULL AND category IS NULL))
);
CREATE INDEX habits_user ON habits (user_id, created_at, id);

-- One row per habit per day done. user_id repeats the habit's owner (the composite foreign key
-- keeps the two equal) so that row-level security and the per-user reads need no join.
CREATE TABLE habit_completions (
	habit_id   uuid NOT NULL,
	user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	day        date NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (habit_id, day),
	FOREIGN KEY (habit_id, user_id) REFERENCES habits (id, user_id) ON DELETE CASCADE
);
CREATE INDEX habit_completions_user_day ON habit_completions (user_id, day DESC);

-- ------------------------------------------------------------------ privileges and RLS
GRANT SELECT, INSERT, UPDATE, DELETE ON mood_checkins TO astral_app;
GRANT SELECT, INSERT, DELETE ON habits, habit_completions TO astral_app;
GRANT SELECT ON habit_catalog TO astral_app;

ALTER TABLE mood_checkins ENABLE ROW LEVEL SECURITY;
ALTER TABLE mood_checkins FORCE ROW LEVEL SECURITY;
CREATE POLICY mood_checkins_self ON mood_checkins TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

-- The catalogue is the same for everyone signed in.
ALTER TABLE habit_catalog ENABLE ROW LEVEL SECURITY;
ALTER TABLE habit_catalog FORCE ROW LEVEL SECURITY;
CREATE POLICY habit_catalog_read ON habit_catalog FOR SELECT TO astral_app
	USING (astral_current_user_id() IS NOT NULL);

ALTER TABLE habits ENABLE ROW LEVEL SECURITY;
ALTER TABLE habits FORCE ROW LEVEL SECURITY;
CREATE POLICY habits_self ON habits TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

ALTER TABLE habit_completions ENABLE ROW LEVEL SECURITY;
ALTER TABLE habit_completions FORCE ROW LEVEL SECURITY;
CREATE POLICY habit_completions_self ON habit_completions TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

CREATE POLICY mood_checkins_owner ON mood_checkins TO astral_owner USING (true);
CREATE POLICY habit_catalog_owner ON habit_catalog TO astral_owner USING (true);
CREATE POLICY habits_owner ON habits TO astral_owner USING (true);
CREATE POLICY habit_completions_owner ON habit_completions TO astral_owner USING (true);
