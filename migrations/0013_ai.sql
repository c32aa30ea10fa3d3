-- The AI gateway (cgi-bin/ai): the companion conversation (sealed with the person's data key), the
-- person's answer to "are you 18 or over?", daily use per action for the quotas, and a count of
-- crisis referrals per day and action that holds no person and no content (the operator's report).

CREATE TABLE ai_messages (
	id              uuid PRIMARY KEY,
	seq             bigint GENERATED ALWAYS AS IDENTITY,   -- the conversation's order (a reply shares its message's second)
	user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role            text NOT NULL CHECK (role IN ('user', 'ai')),
	body            bytea NOT NULL,         -- sealed with the user's data key, AAD ai_messages|body|<id>
	fallback        boolean NOT NULL DEFAULT false,   -- an AI message that is not model output
	crisis_severity text NOT NULL DEFAULT 'none' CHECK (crisis_severity IN ('none', 'low', 'medium', 'high')),
	created_at      timestamptz NOT NULL,
	CHECK (role = 'ai' OR NOT fallback)
);
-- History reads the newest first and a conversation is sent oldest first: one index serves both.
CREATE INDEX ai_messages_user ON ai_messages (user_id, seq);

CREATE TABLE ai_age_answers (
	user_id     uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	adult       boolean NOT NULL,
	answered_at timestamptz NOT NULL
);

CREATE TABLE ai_usage (
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	day     date NOT NULL,                  -- UTC
	action  text NOT NULL CHECK (action IN ('chat', 'draft_post', 'summarize', 'guidance', 'match', 'feedback')),
	used    integer NOT NULL CHECK (used > 0),
	PRIMARY KEY (user_id, day, action)
);

CREATE TABLE ai_crisis_referrals (
	day    date NOT NULL,                   -- UTC
	action text NOT NULL CHECK (action IN ('chat', 'guidance')),
	count  bigint NOT NULL CHECK (count > 0),
	PRIMARY KEY (day, action)
);

-- The app may only add to the referral count; only the owner (reports) reads it.
CREATE FUNCTION astral_ai_count_referral(p_action text, p_now bigint) RETURNS void
	LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	INSERT INTO ai_crisis_referrals AS r (day, action, count)
	VALUES ((to_timestamp(p_now) AT TIME ZONE 'UTC')::date, p_action, 1)
	ON CONFLICT (day, action) DO UPDATE SET count = r.count + 1
	$$;
REVOKE ALL ON FUNCTION astral_ai_count_referral(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_ai_count_referral(text, bigint) TO astral_app;

GRANT SELECT, INSERT, DELETE ON ai_messages TO astral_app;
GRANT SELECT, INSERT, UPDATE ON ai_age_answers TO astral_app;
GRANT SELECT, INSERT, UPDATE ON ai_usage TO astral_app;

ALTER TABLE ai_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY ai_messages_self ON ai_messages TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());
CREATE POLICY ai_messages_owner ON ai_messages TO astral_owner USING (true);

ALTER TABLE ai_age_answers ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_age_answers FORCE ROW LEVEL SECURITY;
CREATE POLICY ai_age_answers_self ON ai_age_answers TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());
CREATE POLICY ai_age_answers_owner ON ai_age_answers TO astral_owner USING (true);

ALTER TABLE ai_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY ai_usage_self ON ai_usage TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());
CREATE POLICY ai_usage_owner ON ai_usage TO astral_owner USING (true);

ALTER TABLE ai_crisis_referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE ai_crisis_referrals FORCE ROW LEVEL SECURITY;
CREATE POLICY ai_crisis_referrals_owner ON ai_crisis_referrals TO astral_owner USING (true);
