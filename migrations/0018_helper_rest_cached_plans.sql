-- The resting test of 0015 as PL/pgSQL, same answers. A SQL function that is SECURITY DEFINER is
-- never inlined, and its body is planned again at every call; PL/pgSQL keeps each statement's
-- plan for the connection. The helper dashboard asks once per request, the directory once per
-- switched-on helper on a page: 2.6 ms for the first call on a connection, then 0.3 ms each as SQL,
-- about 0.03 ms each as PL/pgSQL (EXPLAIN ANALYZE, bench stack with 100k posts and 10k alerts).

CREATE OR REPLACE FUNCTION astral_helper_rest_until_of(p_helper uuid, p_now timestamptz, p_minutes integer)
	RETURNS timestamptz
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	rest_until timestamptz;
BEGIN
	IF p_minutes <= 0 OR p_helper IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT max(s.ended_at) + make_interval(mins => p_minutes) INTO rest_until
	FROM help_sessions s
	WHERE s.helper_id = p_helper
	  AND s.ended_at > p_now - make_interval(mins => p_minutes)
	  AND s.ended_at > coalesce((SELECT h.rest_ended_at FROM helper_profiles h WHERE h.user_id = p_helper),
	                            '-infinity')
	  AND EXISTS (SELECT 1 FROM crisis_alerts a WHERE a.session_id = s.id AND a.severity = 'high');
	RETURN rest_until;
END $$;

CREATE OR REPLACE FUNCTION astral_helper_resting(p_helper uuid, p_now timestamptz, p_minutes integer) RETURNS boolean
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	RETURN astral_helper_rest_until_of(p_helper, p_now, p_minutes) IS NOT NULL;
END $$;

CREATE OR REPLACE FUNCTION astral_my_rest_until(p_now timestamptz, p_minutes integer) RETURNS timestamptz
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	RETURN astral_helper_rest_until_of(astral_current_user_id(), p_now, p_minutes);
END $$;
