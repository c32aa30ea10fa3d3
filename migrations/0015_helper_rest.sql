-- The gentle limit (docs/helper-program-api-contract.md, "Dashboard"; docs/peer-support.md,
-- "Resting after a hard session"). A session is high-severity when a crisis alert of severity
-- 'high' names it. A helper one of whose high-severity sessions ended less than `[helpers]
-- rest_minutes` ago is resting until that end + rest_minutes, unless they ended the rest early
-- after it (helper_profiles.rest_ended_at). A resting helper counts as offline and is not matched.
-- The programs pass the request's clock and the configured minutes: nothing here reads now().

ALTER TABLE helper_profiles ADD COLUMN rest_ended_at timestamptz;

-- A helper's ended sessions, latest end first: the resting test reads only the last
-- rest_minutes of them, however many sessions the helper has had.
CREATE INDEX help_sessions_helper_ended ON help_sessions (helper_id, ended_at DESC) WHERE ended_at IS NOT NULL;
-- Whether a session had a high-severity alert.
CREATE INDEX crisis_alerts_high_session ON crisis_alerts (session_id) WHERE severity = 'high' AND session_id IS NOT NULL;

-- When the helper's rest ends, or NULL when they are not resting. Runs as the owner: the
-- alerts of a session are about its seeker, whom the helper's row policies do not show.
-- Not granted to the application role: the wrappers below say what each caller may learn.
CREATE FUNCTION astral_helper_rest_until_of(p_helper uuid, p_now timestamptz, p_minutes integer)
	RETURNS timestamptz
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	SELECT max(s.ended_at) + make_interval(mins => p_minutes)
	FROM help_sessions s
	WHERE p_minutes > 0 AND s.helper_id = p_helper
	  AND s.ended_at > p_now - make_interval(mins => p_minutes)
	  AND s.ended_at > coalesce((SELECT h.rest_ended_at FROM helper_profiles h WHERE h.user_id = p_helper),
	                            '-infinity')
	  AND EXISTS (SELECT 1 FROM crisis_alerts a WHERE a.session_id = s.id AND a.severity = 'high') $$;

-- Whether a helper is resting (one bit, as their public `online` shows anyway).
CREATE FUNCTION astral_helper_resting(p_helper uuid, p_now timestamptz, p_minutes integer) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT astral_helper_rest_until_of(p_helper, p_now, p_minutes) IS NOT NULL $$;

-- The caller's own rest end (their dashboard), NULL when not resting.
CREATE FUNCTION astral_my_rest_until(p_now timestamptz, p_minutes integer) RETURNS timestamptz
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT astral_helper_rest_until_of(astral_current_user_id(), p_now, p_minutes) $$;

-- The public facts of 0006 with `available` meaning "online": switched on and not resting.
CREATE FUNCTION astral_helper_public(p_helper uuid, p_now timestamptz, p_minutes integer)
	RETURNS TABLE (id uuid, display_name text, helper_tier text, joined_at timestamptz, bio text,
	               expertise text[], available boolean)
	LANGUAGE sql STABLE SECURITY DEFINER ROWS 1 SET search_path = public, pg_temp
	AS $$
	SELECT p.id, p.display_name, p.helper_tier, p.joined_at, p.bio, p.expertise,
	       p.available AND NOT astral_helper_resting(p.id, p_now, p_minutes)
	FROM astral_helper_public(p_helper) p $$;

-- How many helpers are online (public landing page), resting ones not counted.
CREATE FUNCTION astral_helpers_online_count(p_now timestamptz, p_minutes integer) RETURNS bigint
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	SELECT count(*) FROM helper_profiles h JOIN users u ON u.id = h.user_id
	WHERE h.available AND u.role = 'helper' AND NOT astral_helper_resting(h.user_id, p_now, p_minutes) $$;

-- The directory page of 0006 with `available` meaning "online" (the `p_online` filter too).
-- Only switched-on helpers are tested for rest, so a page costs what it did.
CREATE FUNCTION astral_helpers_page(p_by_name boolean, p_expertise text, p_online boolean, p_after_name text,
	                            p_after_joined timestamptz, p_after_id uuid, p_limit integer,
	                            p_now timestamptz, p_minutes integer)
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
		SELECT u.id, u.display_name, u.helper_tier, u.created_at, h.bio, h.expertise, o.online
		FROM users u JOIN helper_profiles h ON h.user_id = u.id
		CROSS JOIN LATERAL (SELECT h.available AND NOT astral_helper_resting(u.id, p_now, p_minutes) AS online) o
		WHERE u.role = 'helper'
		  AND (u.display_name, u.id) > (coalesce(p_after_name, ''),
		                                coalesce(p_after_id, '00000000-0000-0000-0000-000000000000'))
		  AND (p_expertise IS NULL OR p_expertise = ANY (h.expertise))
		  AND (p_online IS NULL OR o.online = p_online)
		ORDER BY u.display_name, u.id
		LIMIT p_limit;
	ELSE
		RETURN QUERY
		SELECT u.id, u.display_name, u.helper_tier, u.created_at, h.bio, h.expertise, o.online
		FROM users u JOIN helper_profiles h ON h.user_id = u.id
		CROSS JOIN LATERAL (SELECT h.available AND NOT astral_helper_resting(u.id, p_now, p_minutes) AS online) o
		WHERE u.role = 'helper'
		  AND (u.created_at, u.id) < (coalesce(p_after_joined, 'infinity'),
		                              coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
		  AND (p_expertise IS NULL OR p_expertise = ANY (h.expertise))
		  AND (p_online IS NULL OR o.online = p_online)
		ORDER BY u.created_at DESC, u.id DESC
		LIMIT p_limit;
	END IF;
END $$;

REVOKE ALL ON FUNCTION astral_helper_rest_until_of(uuid, timestamptz, integer),
	astral_helper_resting(uuid, timestamptz, integer), astral_my_rest_until(timestamptz, integer),
	astral_helper_public(uuid, timestamptz, integer), astral_helpers_online_count(timestamptz, integer),
	astral_helpers_page(boolean, text, boolean, text, timestamptz, uuid, integer, timestamptz, integer)
	FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_helper_resting(uuid, timestamptz, integer), astral_my_rest_until(timestamptz, integer),
	astral_helper_public(uuid, timestamptz, integer), astral_helpers_online_count(timestamptz, integer),
	astral_helpers_page(boolean, text, boolean, text, timestamptz, uuid, integer, timestamptz, integer)
	TO astral_app;
