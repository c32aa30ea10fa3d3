-- A helper with a ban in force is offline everywhere: on their profile, in the directory and its
-- `online` filter, in the online counts (landing page, admin), and to a seeker asking them
-- directly (cgi-bin/posts reads `available` from astral_helper_public). A ban
-- (cgi-bin/moderation/sanctions.c) revokes the helper's sessions but leaves their switch on, and
-- these functions read the switch and the rest only: a banned helper showed online and took
-- private requests they could not answer (or, after a timed ban, would read and accept).
-- "Online" is now: switched on, no ban in force, not resting. A ban is in force while its row
-- exists and has not expired at the request's clock, as auth's AUTH_BAN_FIND says for signing in;
-- as for the rest, the programs pass the clock and nothing here reads now().
-- Names, arguments, results, language, security, search_path and privileges are those of 0015
-- and 0021.

-- Whether the user has a ban in force at p_now. Runs as the owner: account_bans shows a person
-- their own ban only. Not granted to the application role: `online` is all a caller learns.
-- PL/pgSQL, as 0018 and 0021 made the helper facts: the directory asks once per switched-on
-- helper on a page, and a SECURITY DEFINER SQL function is planned again at every call.
CREATE FUNCTION astral_ban_in_force(p_user uuid, p_now timestamptz) RETURNS boolean
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	RETURN EXISTS (SELECT 1 FROM account_bans b
	               WHERE b.user_id = p_user AND (b.expires_at IS NULL OR b.expires_at > p_now));
END $$;
REVOKE ALL ON FUNCTION astral_ban_in_force(uuid, timestamptz) FROM PUBLIC;

CREATE OR REPLACE FUNCTION astral_helper_public(p_helper uuid, p_now timestamptz, p_minutes integer)
	RETURNS TABLE (id uuid, display_name text, helper_tier text, joined_at timestamptz, bio text,
	               expertise text[], available boolean)
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1 SET search_path = public, pg_temp
	AS $$
BEGIN
	RETURN QUERY
	SELECT p.id, p.display_name, p.helper_tier, p.joined_at, p.bio, p.expertise,
	       p.available AND NOT astral_ban_in_force(p.id, p_now)
	       AND NOT astral_helper_resting(p.id, p_now, p_minutes)
	FROM astral_helper_public(p_helper) p;
END $$;

CREATE OR REPLACE FUNCTION astral_helpers_online_count(p_now timestamptz, p_minutes integer) RETURNS bigint
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	SELECT count(*) FROM helper_profiles h JOIN users u ON u.id = h.user_id
	WHERE h.available AND u.role = 'helper' AND NOT astral_ban_in_force(h.user_id, p_now)
	  AND NOT astral_helper_resting(h.user_id, p_now, p_minutes) $$;

-- Only switched-on helpers are tested for a ban and for rest, so a page costs what it did.
CREATE OR REPLACE FUNCTION astral_helpers_page(p_by_name boolean, p_expertise text, p_online boolean,
	                            p_after_name text, p_after_joined timestamptz, p_after_id uuid, p_limit integer,
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
		CROSS JOIN LATERAL (SELECT h.available AND NOT astral_ban_in_force(u.id, p_now)
		                           AND NOT astral_helper_resting(u.id, p_now, p_minutes) AS online) o
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
		CROSS JOIN LATERAL (SELECT h.available AND NOT astral_ban_in_force(u.id, p_now)
		                           AND NOT astral_helper_resting(u.id, p_now, p_minutes) AS online) o
		WHERE u.role = 'helper'
		  AND (u.created_at, u.id) < (coalesce(p_after_joined, 'infinity'),
		                              coalesce(p_after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
		  AND (p_expertise IS NULL OR p_expertise = ANY (h.expertise))
		  AND (p_online IS NULL OR o.online = p_online)
		ORDER BY u.created_at DESC, u.id DESC
		LIMIT p_limit;
	END IF;
END $$;
