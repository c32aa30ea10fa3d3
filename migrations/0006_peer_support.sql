-- Peer support: helper profiles, posts and their supports and reports, help sessions with
-- encrypted messages, crisis alerts, reflections, achievements. Counters are kept by triggers
-- (a client can never set them); row-level security mirrors the checks in C.

-- ------------------------------------------------------------------ helper profiles
CREATE TABLE helper_profiles (
	user_id          uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	bio              text NOT NULL CHECK (char_length(bio) BETWEEN 1 AND 500),
	expertise        text[] NOT NULL CHECK (cardinality(expertise) BETWEEN 1 AND 8),
	available        boolean NOT NULL DEFAULT false,
	available_since  timestamptz,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL
);
CREATE INDEX helper_profiles_available ON helper_profiles (user_id) WHERE available;

-- ------------------------------------------------------------------ posts
CREATE TABLE posts (
	id                  uuid PRIMARY KEY,
	author_id           uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	category            text NOT NULL CHECK (category IN ('Anxiety', 'Depression', 'Grief', 'Relationships',
	                                                      'Stress', 'Loneliness', 'Other')),
	content             text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 5000),
	status              text NOT NULL DEFAULT 'active'
	                    CHECK (status IN ('active', 'in_progress', 'resolved', 'direct_request', 'declined',
	                                      'removed')),
	requested_helper_id uuid REFERENCES users(id) ON DELETE SET NULL,
	crisis_severity     text NOT NULL DEFAULT 'none' CHECK (crisis_severity IN ('none', 'low', 'medium', 'high')),
	support_count       integer NOT NULL DEFAULT 0 CHECK (support_count >= 0),
	reported            boolean NOT NULL DEFAULT false,   -- hidden from the feed until a moderator decides
	created_at          timestamptz NOT NULL,
	updated_at          timestamptz NOT NULL,
	resolved_at         timestamptz,
	search              tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED
);
-- The feed reads only public posts, newest first or by support; these partial indexes hold
-- exactly those rows, so a page costs the same at 10k and at 1M posts.
CREATE INDEX posts_feed_newest ON posts (created_at DESC, id DESC) WHERE status = 'active' AND NOT reported;
CREATE INDEX posts_feed_category ON posts (category, created_at DESC, id DESC) WHERE status = 'active' AND NOT reported;
CREATE INDEX posts_feed_support ON posts (support_count DESC, created_at DESC, id DESC)
	WHERE status = 'active' AND NOT reported;
CREATE INDEX posts_feed_needs ON posts (support_count ASC, created_at ASC, id ASC)
	WHERE status = 'active' AND NOT reported;
CREATE INDEX posts_search ON posts USING gin (search) WHERE status = 'active' AND NOT reported;
CREATE INDEX posts_author ON posts (author_id, created_at DESC);
CREATE INDEX posts_requested ON posts (requested_helper_id) WHERE status = 'direct_request';

CREATE TABLE post_supports (
	post_id    uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_supports_user ON post_supports (user_id);

CREATE TABLE post_reports (
	id          uuid PRIMARY KEY,
	post_id     uuid NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
	reporter_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	reason      text NOT NULL CHECK (reason IN ('spam', 'hate', 'self_harm', 'inappropriate', 'other')),
	note        text CHECK (char_length(note) <= 500),
	status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'actioned')),
	created_at  timestamptz NOT NULL,
	decided_at  timestamptz,
	decided_by  uuid REFERENCES users(id) ON DELETE SET NULL,
	UNIQUE (post_id, reporter_id)
);
CREATE INDEX post_reports_open ON post_reports (created_at) WHERE status = 'open';
CREATE INDEX post_reports_reporter ON post_reports (reporter_id);

-- ------------------------------------------------------------------ help sessions
-- One session per post: the unique post_id is what makes two racing accepts end with one winner.
CREATE TABLE help_sessions (
	id                uuid PRIMARY KEY,
	post_id           uuid NOT NULL UNIQUE REFERENCES posts(id) ON DELETE CASCADE,
	seeker_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	helper_id         uuid REFERENCES users(id) ON DELETE SET NULL,   -- NULL: the helper deleted their account
	started_at        timestamptz NOT NULL,
	ended_at          timestamptz,
	ended_by          text CHECK (ended_by IN ('seeker', 'helper', 'resolved', 'moderator')),
	seeker_read_seq   bigint NOT NULL DEFAULT 0,
	helper_read_seq   bigint NOT NULL DEFAULT 0,
	helpful           boolean,
	feedback_at       timestamptz,
	kudos_at          timestamptz,
	favorite          boolean NOT NULL DEFAULT false,
	CHECK (seeker_id <> helper_id)
);
CREATE INDEX help_sessions_seeker ON help_sessions (seeker_id, started_at DESC);
CREATE INDEX help_sessions_helper ON help_sessions (helper_id, started_at DESC);

-- Each session's data key, wrapped by a master key (AAD "help_session_keys|dek|<session id>"), so
-- both participants can read the conversation and neither needs the other's key. Deleting the
-- session destroys it; `astralctl keys rotate` re-wraps these with the user keys.
CREATE TABLE help_session_keys (
	session_id     uuid PRIMARY KEY REFERENCES help_sessions(id) ON DELETE CASCADE,
	master_version integer NOT NULL,
	wrapped_key    bytea NOT NULL,
	created_at     timestamptz NOT NULL,
	rewrapped_at   timestamptz
);
CREATE INDEX help_session_keys_master_version ON help_session_keys (master_version);

CREATE TABLE messages (
	id              uuid PRIMARY KEY,
	seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
	session_id      uuid NOT NULL REFERENCES help_sessions(id) ON DELETE CASCADE,
	sender_id       uuid REFERENCES users(id) ON DELETE SET NULL,
	sender_role     text NOT NULL CHECK (sender_role IN ('seeker', 'helper')),
	body            bytea NOT NULL,          -- sealed with the session key, AAD messages|body|<id>
	client_key      text NOT NULL CHECK (char_length(client_key) BETWEEN 1 AND 64),
	crisis_severity text NOT NULL DEFAULT 'none' CHECK (crisis_severity IN ('none', 'low', 'medium', 'high')),
	created_at      timestamptz NOT NULL,
	UNIQUE (session_id, sender_role, client_key)
);
CREATE INDEX messages_session_seq ON messages (session_id, seq);
-- Unread counts: the other side's messages after my read mark, however many I sent meanwhile.
CREATE INDEX messages_session_role_seq ON messages (session_id, sender_role, seq);

-- ------------------------------------------------------------------ crisis alerts
-- What the detector (or the emergency button) raised, for the moderators' queue. Never the
-- text itself: the source row and the rule ids say where to look.
CREATE TABLE crisis_alerts (
	id              uuid PRIMARY KEY,
	user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,   -- whose safety is at stake
	source          text NOT NULL CHECK (source IN ('post', 'message', 'emergency', 'ai', 'assessment', 'journal')),
	source_id       uuid,
	session_id      uuid REFERENCES help_sessions(id) ON DELETE SET NULL,
	severity        text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	categories      text[] NOT NULL DEFAULT '{}',
	rules           text[] NOT NULL DEFAULT '{}',
	status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
	raised_by       uuid REFERENCES users(id) ON DELETE SET NULL,
	created_at      timestamptz NOT NULL,
	acknowledged_by uuid REFERENCES users(id) ON DELETE SET NULL,
	acknowledged_at timestamptz,
	resolved_by     uuid REFERENCES users(id) ON DELETE SET NULL,
	resolved_at     timestamptz
);
CREATE INDEX crisis_alerts_queue ON crisis_alerts (severity, created_at) WHERE status <> 'resolved';
CREATE INDEX crisis_alerts_user ON crisis_alerts (user_id);

-- ------------------------------------------------------------------ reflections
CREATE TABLE reflections (
	id          uuid PRIMARY KEY,
	author_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	content     text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 280),
	light_count integer NOT NULL DEFAULT 0 CHECK (light_count >= 0),
	created_at  timestamptz NOT NULL
);
CREATE INDEX reflections_newest ON reflections (created_at DESC, id DESC);
CREATE INDEX reflections_author ON reflections (author_id);

CREATE TABLE reflection_lights (
	reflection_id uuid NOT NULL REFERENCES reflections(id) ON DELETE CASCADE,
	user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at    timestamptz NOT NULL,
	PRIMARY KEY (reflection_id, user_id)
);
CREATE INDEX reflection_lights_user ON reflection_lights (user_id);

-- ------------------------------------------------------------------ achievements
CREATE TABLE helper_achievements (
	helper_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	achievement text NOT NULL CHECK (achievement IN ('first_step', 'helping_hand', 'community_pillar',
	                                                 'heartfelt_thanks', 'trusted_voice')),
	awarded_at  timestamptz NOT NULL,
	PRIMARY KEY (helper_id, achievement)
);

-- ------------------------------------------------------------------ counters (triggers)
-- Run as the owner so that a supporter may move a counter on a post whose row they may not
-- update; the triggers touch nothing but the counter.
CREATE FUNCTION astral_post_support_count() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE posts SET support_count = support_count + 1 WHERE id = NEW.post_id;
	ELSE
		UPDATE posts SET support_count = greatest(support_count - 1, 0) WHERE id = OLD.post_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER post_supports_count AFTER INSERT OR DELETE ON post_supports
	FOR EACH ROW EXECUTE FUNCTION astral_post_support_count();

CREATE FUNCTION astral_post_reported() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	UPDATE posts SET reported = true WHERE id = NEW.post_id;
	RETURN NULL;
END $$;
CREATE TRIGGER post_reports_hide AFTER INSERT ON post_reports
	FOR EACH ROW EXECUTE FUNCTION astral_post_reported();

CREATE FUNCTION astral_reflection_light_count() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE reflections SET light_count = light_count + 1 WHERE id = NEW.reflection_id;
	ELSE
		UPDATE reflections SET light_count = greatest(light_count - 1, 0) WHERE id = OLD.reflection_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER reflection_lights_count AFTER INSERT OR DELETE ON reflection_lights
	FOR EACH ROW EXECUTE FUNCTION astral_reflection_light_count();

-- ------------------------------------------------------------------ helper standing
-- A helper's public standing, computed from the sessions (never stored as a counter a client
-- could move): sessions, kudos, feedback, reputation = 5 × the share of "helpful" answers, and
-- XP = 20 per session + 15 per kudos + 10 per helpful answer (docs/peer-support.md).
CREATE FUNCTION astral_helper_stats(p_helper uuid)
	RETURNS TABLE (sessions bigint, kudos bigint, feedback bigint, helpful bigint, reputation numeric, xp bigint)
	LANGUAGE sql STABLE SECURITY DEFINER ROWS 1 SET search_path = public, pg_temp
	AS $$
	SELECT count(*),
	       count(s.kudos_at),
	       count(s.helpful),
	       count(*) FILTER (WHERE s.helpful),
	       CASE WHEN count(s.helpful) = 0 THEN NULL
	            ELSE round(5.0 * count(*) FILTER (WHERE s.helpful) / count(s.helpful), 2) END,
	       20 * count(*) + 15 * count(s.kudos_at) + 10 * count(*) FILTER (WHERE s.helpful)
	FROM help_sessions s WHERE s.helper_id = p_helper $$;

-- Award what the helper has earned and not yet received; returns the newly awarded ids.
CREATE FUNCTION astral_award_achievements(p_helper uuid, p_now timestamptz)
	RETURNS SETOF text
	LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	WITH st AS (SELECT * FROM astral_helper_stats(p_helper)),
	     earned AS (
	         SELECT a.id FROM st, (VALUES ('first_step', 1, 0), ('helping_hand', 5, 0),
	                                      ('community_pillar', 25, 0), ('heartfelt_thanks', 0, 1),
	                                      ('trusted_voice', 0, 10)) AS a(id, min_sessions, min_kudos)
	         WHERE st.sessions >= a.min_sessions AND st.kudos >= a.min_kudos)
	INSERT INTO helper_achievements (helper_id, achievement, awarded_at)
	SELECT p_helper, earned.id, p_now FROM earned
	ON CONFLICT DO NOTHING
	RETURNING achievement $$;

-- Public facts about any helper (profile pages, the chat header): never private data.
CREATE FUNCTION astral_helper_public(p_helper uuid)
	RETURNS TABLE (id uuid, display_name text, helper_tier text, joined_at timestamptz, bio text,
	               expertise text[], available boolean)
	LANGUAGE sql STABLE SECURITY DEFINER ROWS 1 SET search_path = public, pg_temp
	AS $$
	SELECT u.id, u.display_name, u.helper_tier, u.created_at, h.bio, h.expertise, h.available
	FROM users u JOIN helper_profiles h ON h.user_id = u.id
	WHERE u.id = p_helper AND u.role = 'helper' $$;

-- How many helpers are online, for the public landing page: it is asked without a sign-in,
-- when row-level security would hide every profile, so it answers a count and nothing else.
CREATE FUNCTION astral_helpers_online_count() RETURNS bigint
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	SELECT count(*) FROM helper_profiles h JOIN users u ON u.id = h.user_id
	WHERE h.available AND u.role = 'helper' $$;

-- One page of the helper directory (signed-in callers only), by display name or by join date
-- (newest first), after the keyset (p_after_name | p_after_joined, p_after_id); NULLs start at
-- the top. Each branch walks one of the partial indexes below.
CREATE INDEX users_helpers_by_name ON users (display_name, id) WHERE role = 'helper';
CREATE INDEX users_helpers_by_joined ON users (created_at DESC, id DESC) WHERE role = 'helper';
CREATE FUNCTION astral_helpers_page(p_by_name boolean, p_expertise text, p_online boolean, p_after_name text,
	                            p_after_joined timestamptz, p_after_id uuid, p_limit integer)
	RETURNS TABLE (id uuid, display_name text, helper_tier text, joined_at timestamptz, bio text,
	               expertise text[], available boolean)
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF astral_current_user_id() IS NULL THEN
		RETURN;
	END IF;
	IF p_by_name THEN
		RETURN QUERY
		SELECT u.id, u.display_name, u.helper_tier, u.created_at, h.bio, h.expertise, h.available
		FROM users u JOIN helper_profiles h ON h.user_id = u.id
		WHERE u.role = 'helper'
		  AND (u.display_name, u.id) > (coalesce(p_after_name, ''),
		                                coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'))
		  AND (p_expertise IS NULL OR p_expertise = ANY (h.expertise))
		  AND (p_online IS NULL OR h.available = p_online)
		ORDER BY u.display_name, u.id
		LIMIT p_limit;
	ELSE
		RETURN QUERY
		SELECT u.id, u.display_name, u.helper_tier, u.created_at, h.bio, h.expertise, h.available
		FROM users u JOIN helper_profiles h ON h.user_id = u.id
		WHERE u.role = 'helper'
		  AND (u.created_at, u.id) < (coalesce(p_after_joined, 'infinity'),
		                              coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
		  AND (p_expertise IS NULL OR p_expertise = ANY (h.expertise))
		  AND (p_online IS NULL OR h.available = p_online)
		ORDER BY u.created_at DESC, u.id DESC
		LIMIT p_limit;
	END IF;
END $$;

-- ------------------------------------------------------------------ privileges and RLS
GRANT SELECT, INSERT, UPDATE, DELETE ON helper_profiles, posts, post_supports, help_sessions,
	help_session_keys, messages, reflections, reflection_lights TO astral_app;
GRANT SELECT, INSERT, UPDATE ON post_reports, crisis_alerts TO astral_app;
GRANT SELECT ON helper_achievements TO astral_app;

-- Helper profiles are public to signed-in users; only the helper writes theirs.
ALTER TABLE helper_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE helper_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY helper_profiles_read ON helper_profiles FOR SELECT TO astral_app
	USING (astral_current_user_id() IS NOT NULL);
CREATE POLICY helper_profiles_write ON helper_profiles FOR ALL TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

-- A participant of a session (as seeker or helper).
CREATE FUNCTION astral_in_session(p_session uuid) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT EXISTS (SELECT 1 FROM help_sessions s WHERE s.id = p_session
	      AND astral_current_user_id() IN (s.seeker_id, s.helper_id)) $$;

-- The helper of a post's session.
CREATE FUNCTION astral_helps_on_post(p_post uuid) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT EXISTS (SELECT 1 FROM help_sessions s WHERE s.post_id = p_post
	      AND s.helper_id = astral_current_user_id()) $$;

-- Blocks hide posts and reflections in both directions, so a request must see who blocks the
-- caller as well as whom the caller blocks (no route returns the former). The programs test it
-- with NOT EXISTS over blocks, which the planner turns into an anti-join beside the feed's
-- index scan; an array of peers (`author <> ALL (…)`) is estimated at almost no rows and made
-- the planner sort the whole feed.
CREATE POLICY blocks_blocked_me ON blocks FOR SELECT TO astral_app
	USING (blocked_id = astral_current_user_id());

-- Full-text search of the public feed, as the owner. Under row-level security PostgreSQL may not
-- use the GIN index for `@@` (the operator is not leakproof), so a search for a rare word walked
-- every public post. Returns at most p_limit ids, of public posts only, for a signed-in caller;
-- the programs call it to learn whether a search matches few posts (then they read exactly
-- those) or many (then the ordered feed index finds them at once).
CREATE FUNCTION astral_search_public_posts(p_query text, p_category text, p_limit integer)
	RETURNS SETOF uuid
	LANGUAGE sql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp
	AS $$ SELECT p.id FROM posts p
	      WHERE astral_current_user_id() IS NOT NULL AND p.status = 'active' AND NOT p.reported
	        AND p.search @@ plainto_tsquery('simple', p_query)
	        AND (p_category IS NULL OR p.category = p_category)
	      LIMIT p_limit $$;
REVOKE ALL ON FUNCTION astral_search_public_posts(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_search_public_posts(text, text, integer) TO astral_app;

-- A public post (or a direct request to the caller) that a helper has already taken: a late
-- accept answers 409 rather than 404 although the post has left the feed.
CREATE FUNCTION astral_post_taken(p_post uuid) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT EXISTS (SELECT 1 FROM help_sessions s JOIN posts p ON p.id = s.post_id
	      WHERE s.post_id = p_post AND astral_current_role() = 'helper'
	      AND (p.requested_helper_id IS NULL OR p.requested_helper_id = astral_current_user_id())) $$;
REVOKE ALL ON FUNCTION astral_post_taken(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_post_taken(uuid) TO astral_app;

-- Posts: public ones to any signed-in user; the rest to the author, the requested helper, the
-- session's helper and staff. Writes: the author; a helper moves a post they accept or decline.
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE posts FORCE ROW LEVEL SECURITY;
CREATE POLICY posts_read ON posts FOR SELECT TO astral_app
	USING (astral_current_user_id() IS NOT NULL AND (
	       (status = 'active' AND NOT reported) OR author_id = astral_current_user_id()
	       OR requested_helper_id = astral_current_user_id() OR astral_helps_on_post(id) OR astral_is_staff()));
CREATE POLICY posts_insert ON posts FOR INSERT TO astral_app
	WITH CHECK (author_id = astral_current_user_id());
CREATE POLICY posts_update ON posts FOR UPDATE TO astral_app
	USING (author_id = astral_current_user_id() OR requested_helper_id = astral_current_user_id()
	       OR (astral_current_role() = 'helper' AND status = 'active' AND NOT reported)
	       OR astral_is_staff())
	WITH CHECK (author_id = astral_current_user_id() OR requested_helper_id = astral_current_user_id()
	            OR astral_helps_on_post(id) OR astral_is_staff());
CREATE POLICY posts_delete ON posts FOR DELETE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());

ALTER TABLE post_supports ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_supports FORCE ROW LEVEL SECURITY;
CREATE POLICY post_supports_self ON post_supports TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

ALTER TABLE post_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY post_reports_own ON post_reports TO astral_app
	USING (reporter_id = astral_current_user_id() OR astral_is_staff())
	WITH CHECK (reporter_id = astral_current_user_id() OR astral_is_staff());

ALTER TABLE help_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE help_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY help_sessions_participants ON help_sessions TO astral_app
	USING (astral_current_user_id() IN (seeker_id, helper_id))
	WITH CHECK (astral_current_user_id() IN (seeker_id, helper_id));

ALTER TABLE help_session_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE help_session_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY help_session_keys_participants ON help_session_keys TO astral_app
	USING (astral_in_session(session_id)) WITH CHECK (astral_in_session(session_id));

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE messages FORCE ROW LEVEL SECURITY;
CREATE POLICY messages_read ON messages FOR SELECT TO astral_app
	USING (astral_in_session(session_id));
CREATE POLICY messages_send ON messages FOR INSERT TO astral_app
	WITH CHECK (sender_id = astral_current_user_id() AND astral_in_session(session_id));

-- Alerts: anyone signed in may raise one (for themselves, or as the helper of a session);
-- staff work the queue; a user sees the alerts about themselves (their export).
ALTER TABLE crisis_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE crisis_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY crisis_alerts_raise ON crisis_alerts FOR INSERT TO astral_app
	WITH CHECK (astral_current_user_id() IS NOT NULL
	            AND (user_id = astral_current_user_id() OR raised_by = astral_current_user_id()));
CREATE POLICY crisis_alerts_read ON crisis_alerts FOR SELECT TO astral_app
	USING (user_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY crisis_alerts_work ON crisis_alerts FOR UPDATE TO astral_app
	USING (astral_is_staff());

ALTER TABLE reflections ENABLE ROW LEVEL SECURITY;
ALTER TABLE reflections FORCE ROW LEVEL SECURITY;
CREATE POLICY reflections_read ON reflections FOR SELECT TO astral_app
	USING (astral_current_user_id() IS NOT NULL);
CREATE POLICY reflections_write ON reflections FOR ALL TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff())
	WITH CHECK (author_id = astral_current_user_id());

ALTER TABLE reflection_lights ENABLE ROW LEVEL SECURITY;
ALTER TABLE reflection_lights FORCE ROW LEVEL SECURITY;
CREATE POLICY reflection_lights_self ON reflection_lights TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

ALTER TABLE helper_achievements ENABLE ROW LEVEL SECURITY;
ALTER TABLE helper_achievements FORCE ROW LEVEL SECURITY;
CREATE POLICY helper_achievements_read ON helper_achievements FOR SELECT TO astral_app
	USING (astral_current_user_id() IS NOT NULL);

CREATE POLICY helper_profiles_owner ON helper_profiles TO astral_owner USING (true);
CREATE POLICY posts_owner ON posts TO astral_owner USING (true);
CREATE POLICY post_supports_owner ON post_supports TO astral_owner USING (true);
CREATE POLICY post_reports_owner ON post_reports TO astral_owner USING (true);
CREATE POLICY help_sessions_owner ON help_sessions TO astral_owner USING (true);
CREATE POLICY help_session_keys_owner ON help_session_keys TO astral_owner USING (true);
CREATE POLICY messages_owner ON messages TO astral_owner USING (true);
CREATE POLICY crisis_alerts_owner ON crisis_alerts TO astral_owner USING (true);
CREATE POLICY reflections_owner ON reflections TO astral_owner USING (true);
CREATE POLICY reflection_lights_owner ON reflection_lights TO astral_owner USING (true);
CREATE POLICY helper_achievements_owner ON helper_achievements TO astral_owner USING (true);

REVOKE ALL ON FUNCTION astral_post_support_count(), astral_post_reported(), astral_reflection_light_count(),
	astral_helper_stats(uuid), astral_award_achievements(uuid, timestamptz), astral_helper_public(uuid),
	astral_in_session(uuid), astral_helps_on_post(uuid), astral_helpers_online_count(),
	astral_helpers_page(boolean, text, boolean, text, timestamptz, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_helper_stats(uuid), astral_award_achievements(uuid, timestamptz),
	astral_helper_public(uuid), astral_in_session(uuid), astral_helps_on_post(uuid), astral_helpers_online_count(),
	astral_helpers_page(boolean, text, boolean, text, timestamptz, uuid, integer) TO astral_app;
