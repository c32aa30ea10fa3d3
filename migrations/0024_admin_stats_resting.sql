-- The admin's "helpers online" counts as the landing page does (0015): a helper resting after a
-- high-severity session is offline, though their switch stays on. 0016's count read the switch
-- alone, so the admin saw more helpers online than any seeker could reach. The program passes
-- its clock and `[helpers] rest_minutes`, as for every other rest test.
DROP FUNCTION astral_moderation_stats(timestamptz, timestamptz);
CREATE FUNCTION astral_moderation_stats(p_since timestamptz, p_now timestamptz, p_rest_minutes integer)
	RETURNS TABLE (active_posts bigint, median_minutes numeric, helpers_online bigint, helpers_total bigint,
	               certified_helpers bigint, most_common_category text, alerts_open bigint,
	               alerts_acknowledged bigint, alerts_resolved bigint, open_reports bigint,
	               pending_applications bigint, pending_videos bigint)
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF astral_current_role() <> 'admin' THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT
		(SELECT count(*) FROM posts p WHERE p.status = 'active' AND NOT p.reported),
		(SELECT round((percentile_cont(0.5) WITHIN GROUP (
		            ORDER BY extract(epoch FROM s.started_at - p.created_at) / 60))::numeric, 1)
		   FROM posts p JOIN help_sessions s ON s.post_id = p.id
		  WHERE p.created_at >= p_since AND p.created_at <= p_now),
		astral_helpers_online_count(p_now, p_rest_minutes),
		(SELECT count(*) FROM users u WHERE u.role = 'helper'),
		(SELECT count(*) FROM users u WHERE u.role = 'helper' AND u.helper_tier = 'certified'),
		(SELECT p.category FROM posts p WHERE p.created_at >= p_since AND p.created_at <= p_now
		  GROUP BY p.category ORDER BY count(*) DESC, p.category LIMIT 1),
		(SELECT count(*) FROM crisis_alerts a WHERE a.status <> 'resolved' AND a.status = 'open'),
		(SELECT count(*) FROM crisis_alerts a WHERE a.status <> 'resolved' AND a.status = 'acknowledged'),
		(SELECT count(*) FROM crisis_alerts a WHERE a.status = 'resolved' AND a.resolved_at >= p_since
		    AND a.resolved_at <= p_now),
		(SELECT count(*) FROM post_reports r WHERE r.status = 'open'),
		(SELECT count(*) FROM helper_applications x WHERE x.status = 'pending'),
		(SELECT count(*) FROM wellness_videos v WHERE v.status = 'pending');
END $$;
REVOKE ALL ON FUNCTION astral_moderation_stats(timestamptz, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_moderation_stats(timestamptz, timestamptz, integer) TO astral_app;
