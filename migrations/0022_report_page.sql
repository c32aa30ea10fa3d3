-- The report queue's page chosen with the owner's rights, as 0017 does for alerts. Read as the
-- application role, report_queue's policy (astral_is_staff()) is evaluated on every row and the
-- planner, not counting that, read all 500 rows of the bench's queue and sorted them (0.21 ms of
-- the page's 0.56 ms). Here the page is read in index order (report_queue_order) and stops after
-- p_limit entries; the program reads the posts and reports themselves through their policies.

-- One page of the report queue: (post_id, rank, first_at, reports) of at most p_limit posts with
-- open reports, a self-harm report first (rank 0), then by their first open report, then post
-- id. The keyset cursor is the last row of the previous page (p_rank, p_first_us microseconds
-- since the epoch, p_after), all NULL on the first page. Staff only: to anyone else it answers
-- nothing.
CREATE FUNCTION astral_report_page(p_rank integer, p_first_us bigint, p_after uuid, p_limit integer)
	RETURNS TABLE (post_id uuid, rank smallint, first_at timestamptz, reports integer)
	LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 21
	SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan
	AS $$
DECLARE
	after_rank smallint := coalesce(p_rank, -1)::smallint;
	after_at timestamptz := coalesce('epoch'::timestamptz + p_first_us * interval '1 microsecond',
	                                 '-infinity'::timestamptz);
	after_id uuid := coalesce(p_after, '00000000-0000-0000-0000-000000000000'::uuid);
BEGIN
	IF NOT astral_is_staff() THEN
		RETURN;
	END IF;
	RETURN QUERY
	SELECT q.post_id, q.rank, q.first_at, q.reports FROM report_queue q
	WHERE (q.rank, q.first_at, q.post_id) > (after_rank, after_at, after_id)
	ORDER BY q.rank, q.first_at, q.post_id
	LIMIT p_limit;
END $$;
REVOKE ALL ON FUNCTION astral_report_page(integer, bigint, uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_report_page(integer, bigint, uuid, integer) TO astral_app;
