-- The staff queues at scale: the crisis alert page read in index order.
--
-- GET /api/moderation/alerts walks the alerts one severity at a time, oldest first, in keyset
-- pages (cgi-bin/moderation/statements.c, MOD_ALERTS_PAGE). Read as the application role, every row
-- of crisis_alerts passes the policy `user_id = astral_current_user_id() OR astral_is_staff()`,
-- whose selectivity the planner cannot estimate: with 10,000 alerts it chose a bitmap heap scan
-- and a top-N sort over every unresolved alert of a severity (about 3,300 rows, the policy
-- evaluated on each) instead of reading the first `limit` entries of the index, and took about
-- 10 ms a page. Here the page's ids are chosen with the owner's rights, where the policy is
-- `true`, so each severity is an ordered index scan that stops after `limit` entries; the program
-- then reads those rows through the policies as always (by primary key). The statement went from
-- about 6 ms (plus 2-5 ms planning a custom plan) to about 0.3 ms (EXPLAIN ANALYZE and
-- pg_stat_statements, bench stack with 100k posts and 10k alerts).

-- 0016's crisis_alerts_active_page (severity, created_at, id) has the same predicate and
-- supersedes it.
DROP INDEX crisis_alerts_queue;

-- One page of the alert queue: (id, rank, created_at) of at most p_limit alerts, by severity
-- (rank 0 high, 1 medium, 2 low), then oldest first, then id. p_status NULL: every alert not
-- resolved (crisis_alerts_active_page); 'open' or 'acknowledged': those only (same index);
-- 'resolved': the resolved ones (crisis_alerts_resolved_queue). The keyset cursor is the last
-- row of the previous page: p_rank, p_created_us (microseconds since the epoch) and p_after (its
-- id), all NULL on the first page. Staff only: to anyone else it answers nothing. Ids and times
-- only; the caller reads the rows themselves with its own rights.
-- Its statements keep one generic plan per connection (the same index scans, verified with
-- EXPLAIN ANALYZE): left to choose, the plan cache always took a custom plan, because a LIMIT that
-- is a parameter makes the generic one look dearer, and planned every call again (0.15 ms).
CREATE FUNCTION astral_alert_page(p_status text, p_rank integer, p_created_us bigint, p_after uuid,
                                  p_limit integer)
	RETURNS TABLE (id uuid, rank integer, created_at timestamptz)
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 21
	SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan
	AS $$
DECLARE
	-- The lower bound of each severity's branch: the whole branch before the cursor's rank, the
	-- rows after the cursor within it, none after it. Computed once, so each branch's condition
	-- is a row comparison of the index's (created_at, id) with values.
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
BEGIN
	IF NOT astral_is_staff() OR p_limit IS NULL OR p_limit < 1 THEN
		RETURN;
	END IF;
	IF p_status = 'resolved' THEN
		RETURN QUERY SELECT b.id, b.rank, b.created_at FROM (
			(SELECT a.id, 0 AS rank, a.created_at FROM crisis_alerts a
			  WHERE a.status = 'resolved' AND a.severity = 'high' AND (a.created_at, a.id) > (low_0, id_0)
			  ORDER BY a.created_at, a.id LIMIT p_limit)
			UNION ALL
			(SELECT a.id, 1 AS rank, a.created_at FROM crisis_alerts a
			  WHERE a.status = 'resolved' AND a.severity = 'medium' AND (a.created_at, a.id) > (low_1, id_1)
			  ORDER BY a.created_at, a.id LIMIT p_limit)
			UNION ALL
			(SELECT a.id, 2 AS rank, a.created_at FROM crisis_alerts a
			  WHERE a.status = 'resolved' AND a.severity = 'low' AND (a.created_at, a.id) > (low_2, id_2)
			  ORDER BY a.created_at, a.id LIMIT p_limit)) b
			ORDER BY b.rank, b.created_at, b.id LIMIT p_limit;
	ELSIF p_status IS NULL OR p_status IN ('open', 'acknowledged') THEN
		RETURN QUERY SELECT b.id, b.rank, b.created_at FROM (
			(SELECT a.id, 0 AS rank, a.created_at FROM crisis_alerts a
			  WHERE a.status <> 'resolved' AND a.severity = 'high' AND (p_status IS NULL OR a.status = p_status)
			    AND (a.created_at, a.id) > (low_0, id_0)
			  ORDER BY a.created_at, a.id LIMIT p_limit)
			UNION ALL
			(SELECT a.id, 1 AS rank, a.created_at FROM crisis_alerts a
			  WHERE a.status <> 'resolved' AND a.severity = 'medium' AND (p_status IS NULL OR a.status = p_status)
			    AND (a.created_at, a.id) > (low_1, id_1)
			  ORDER BY a.created_at, a.id LIMIT p_limit)
			UNION ALL
			(SELECT a.id, 2 AS rank, a.created_at FROM crisis_alerts a
			  WHERE a.status <> 'resolved' AND a.severity = 'low' AND (p_status IS NULL OR a.status = p_status)
			    AND (a.created_at, a.id) > (low_2, id_2)
			  ORDER BY a.created_at, a.id LIMIT p_limit)) b
			ORDER BY b.rank, b.created_at, b.id LIMIT p_limit;
	END IF;
END $$;
REVOKE ALL ON FUNCTION astral_alert_page(text, integer, bigint, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_alert_page(text, integer, bigint, uuid, integer) TO astral_app;
