-- The staff queues' pages are read whole with the owner's rights.
--
-- 0017 and 0022 chose a page's ids with the owner's rights and left the program to read the rows
-- through the row policies. For staff every policy those rows pass is `true` (crisis_alerts,
-- users, posts, post_reports: the staff branch; messages and help_session_keys: "the source of an
-- alert", which an alert's own source is by definition), so reading through them changed nothing
-- that was returned, and cost the policies' quals on every row and their sub-plans set up again at
-- every page: on the bench's queues (10,000 alerts, 100,000 posts) the alert page statement took
-- 0.43 ms of database CPU a transaction, against 0.32 ms read here (pgbench, prepared, 4 clients).
--
-- Each function checks astral_is_staff(), the predicate of the policies' staff branch, first, and
-- to anyone else answers nothing. The columns are those the single reads answer (statements.c's
-- ALERT_COLUMNS and REPORT_POST_COLUMNS, formatted the same way); tests/integration compares each
-- queue item with the same alert or post read one at a time. The words stay out of the alert
-- queue: an excerpt is read one alert at a time, through the policies, and audited.

DROP FUNCTION astral_alert_page(text, integer, bigint, uuid, integer);
DROP FUNCTION astral_report_page(integer, bigint, uuid, integer);

-- One page of the alert queue, by severity (rank 0 high, 1 medium, 2 low), then oldest first,
-- then id. p_status NULL: every alert not resolved (crisis_alerts_active_page); 'open' or
-- 'acknowledged': those only (same index); 'resolved': the resolved ones
-- (crisis_alerts_resolved_queue). Each severity is an ordered index scan that stops after p_limit
-- entries; the branches of the other list are cut by a one-time filter. The keyset cursor is the
-- last row of the previous page: p_rank, p_created_us (microseconds since the epoch) and p_after
-- (its id), all NULL on the first page. has_excerpt: the source post, or the source message and
-- its session's key, is there.
CREATE FUNCTION astral_alert_queue_page(p_status text, p_rank integer, p_created_us bigint, p_after uuid,
                                        p_limit integer)
	RETURNS TABLE (id uuid, user_id uuid, user_name text, user_role text, source text, source_id uuid,
	               session_id uuid, severity text, categories text, rules text, status text, created_at bigint,
	               ack_id uuid, ack_name text, ack_role text, acknowledged_at bigint,
	               res_id uuid, res_name text, res_role text, resolved_at bigint, resolution_note text,
	               created_us bigint, rank integer, has_excerpt boolean)
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 21
	SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan
	AS $$
DECLARE
	-- The lower bound of each severity's branch: the whole branch before the cursor's rank, the
	-- rows after the cursor within it, none after it.
	after_at timestamptz := 'epoch'::timestamptz + p_created_us * interval '1 microsecond';
	low_0 timestamptz := CASE WHEN p_rank IS NULL OR p_rank < 0 THEN '-infinity'::timestamptz
	                          WHEN p_rank = 0 THEN after_at ELSE 'infinity'::timestamptz END;
	low_1 timestamptz := CASE WHEN p_rank IS NULL OR p_rank < 1 THEN '-infinity'::timestamptz
	                          WHEN p_rank = 1 THEN after_at ELSE 'infinity'::timestamptz END;
	low_2 timestamptz := CASE WHEN p_rank IS NULL OR p_rank < 2 THEN '-infinity'::timestamptz
	                          WHEN p_rank = 2 THEN after_at ELSE 'infinity'::timestamptz END;
	id_0 uuid := CASE WHEN p_rank = 0 THEN p_after ELSE '00000000-0000-0000-0000-000000000000'::uuid END;
	id_1 uuid := CASE WHEN p_rank = 1 THEN p_after ELSE '00000000-0000-0000-0000-000000000000'::uuid END;
	id_2 uuid := CASE WHEN p_rank = 2 THEN p_after ELSE '00000000-0000-0000-0000-000000000000'::uuid END;
	resolved boolean := p_status = 'resolved';
	active boolean := p_status IS NULL OR p_status IN ('open', 'acknowledged');
BEGIN
	IF NOT astral_is_staff() OR p_limit IS NULL OR p_limit < 1 OR NOT (resolved OR active) THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT a.id, u.id, u.display_name, u.role::text, a.source, a.source_id, a.session_id, a.severity,
	       array_to_json(a.categories)::text, array_to_json(a.rules)::text, a.status,
	       extract(epoch FROM a.created_at)::bigint,
	       ua.id, ua.display_name, ua.role::text, extract(epoch FROM a.acknowledged_at)::bigint,
	       ur.id, ur.display_name, ur.role::text, extract(epoch FROM a.resolved_at)::bigint, a.resolution_note,
	       (extract(epoch FROM a.created_at) * 1000000)::bigint, pg.rank,
	       sp.id IS NOT NULL OR sk.session_id IS NOT NULL
	FROM (
		(SELECT a.id, 0 AS rank, a.created_at FROM crisis_alerts a
		  WHERE active AND a.status <> 'resolved' AND a.severity = 'high' AND (p_status IS NULL OR a.status = p_status)
		    AND (a.created_at, a.id) > (low_0, id_0)
		  ORDER BY a.created_at, a.id LIMIT p_limit)
		UNION ALL
		(SELECT a.id, 1 AS rank, a.created_at FROM crisis_alerts a
		  WHERE active AND a.status <> 'resolved' AND a.severity = 'medium' AND (p_status IS NULL OR a.status = p_status)
		    AND (a.created_at, a.id) > (low_1, id_1)
		  ORDER BY a.created_at, a.id LIMIT p_limit)
		UNION ALL
		(SELECT a.id, 2 AS rank, a.created_at FROM crisis_alerts a
		  WHERE active AND a.status <> 'resolved' AND a.severity = 'low' AND (p_status IS NULL OR a.status = p_status)
		    AND (a.created_at, a.id) > (low_2, id_2)
		  ORDER BY a.created_at, a.id LIMIT p_limit)
		UNION ALL
		(SELECT a.id, 0 AS rank, a.created_at FROM crisis_alerts a
		  WHERE resolved AND a.status = 'resolved' AND a.severity = 'high' AND (a.created_at, a.id) > (low_0, id_0)
		  ORDER BY a.created_at, a.id LIMIT p_limit)
		UNION ALL
		(SELECT a.id, 1 AS rank, a.created_at FROM crisis_alerts a
		  WHERE resolved AND a.status = 'resolved' AND a.severity = 'medium' AND (a.created_at, a.id) > (low_1, id_1)
		  ORDER BY a.created_at, a.id LIMIT p_limit)
		UNION ALL
		(SELECT a.id, 2 AS rank, a.created_at FROM crisis_alerts a
		  WHERE resolved AND a.status = 'resolved' AND a.severity = 'low' AND (a.created_at, a.id) > (low_2, id_2)
		  ORDER BY a.created_at, a.id LIMIT p_limit)
		ORDER BY 2, 3, 1 LIMIT p_limit) pg
	JOIN crisis_alerts a ON a.id = pg.id
	JOIN users u ON u.id = a.user_id
	LEFT JOIN users ua ON ua.id = a.acknowledged_by
	LEFT JOIN users ur ON ur.id = a.resolved_by
	LEFT JOIN posts sp ON a.source = 'post' AND sp.id = a.source_id
	LEFT JOIN messages sm ON a.source = 'message' AND sm.id = a.source_id
	LEFT JOIN help_session_keys sk ON sk.session_id = sm.session_id
	ORDER BY pg.rank, pg.created_at, pg.id;
END $$;
REVOKE ALL ON FUNCTION astral_alert_queue_page(text, integer, bigint, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_alert_queue_page(text, integer, bigint, uuid, integer) TO astral_app;

-- One page of the report queue: posts with open reports, a self-harm report first (rank 0), then
-- by their first open report, then post id, read in index order (report_queue_order) up to
-- p_limit entries. The keyset cursor is the last row of the previous page (p_rank, p_first_us
-- microseconds since the epoch, p_after), all NULL on the first page. Each row: the post and its
-- author (NULL when the account is gone), its open reports (a JSON array, oldest first), how many,
-- the first one's time (seconds), the rank and the first one's time in microseconds.
CREATE FUNCTION astral_report_queue_page(p_rank integer, p_first_us bigint, p_after uuid, p_limit integer)
	RETURNS TABLE (post_id uuid, category text, content text, status text, created_at bigint,
	               author_id uuid, author_name text, author_role text, reports text, report_count integer,
	               first_at bigint, rank smallint, first_us bigint)
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 21
	SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan
	AS $$
DECLARE
	after_rank smallint := coalesce(p_rank, -1)::smallint;
	after_at timestamptz := coalesce('epoch'::timestamptz + p_first_us * interval '1 microsecond',
	                                 '-infinity'::timestamptz);
	after_id uuid := coalesce(p_after, '00000000-0000-0000-0000-000000000000'::uuid);
BEGIN
	IF NOT astral_is_staff() OR p_limit IS NULL OR p_limit < 1 THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT p.id, p.category, p.content, p.status, extract(epoch FROM p.created_at)::bigint,
	       u.id, u.display_name, u.role::text,
	       (SELECT coalesce(json_agg(json_build_object('id', r.id, 'reason', r.reason, 'note', r.note,
	                                                   'created_at', to_char(r.created_at AT TIME ZONE 'UTC',
	                                                                         'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
	                                 ORDER BY r.created_at, r.id), '[]')::text
	          FROM post_reports r WHERE r.post_id = q.post_id AND r.status = 'open'),
	       q.reports, extract(epoch FROM q.first_at)::bigint, q.rank,
	       (extract(epoch FROM q.first_at) * 1000000)::bigint
	FROM (SELECT q.post_id, q.rank, q.first_at, q.reports FROM report_queue q
	      WHERE (q.rank, q.first_at, q.post_id) > (after_rank, after_at, after_id)
	      ORDER BY q.rank, q.first_at, q.post_id
	      LIMIT p_limit) q
	JOIN posts p ON p.id = q.post_id
	LEFT JOIN users u ON u.id = p.author_id
	ORDER BY q.rank, q.first_at, q.post_id;
END $$;
REVOKE ALL ON FUNCTION astral_report_queue_page(integer, bigint, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_report_queue_page(integer, bigint, uuid, integer) TO astral_app;
