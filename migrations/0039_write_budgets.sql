-- A budget of the writes that reach other people, per person and kind of write (`[limits]` in
-- astral.conf): posts, reports, direct requests, reflections and video uploads. Without it one
-- signed-in script could flood the feed, hide every post with reports (a report hides a post until
-- a moderator decides), spam a helper or fill the video queue and the disk. A token bucket per
-- (person, action): `<action>_per_hour` (or per day) at once, refilled evenly over the hour (day).
--
-- Unlike the sign-in budget (0025) the take runs inside the handler's own transaction, right
-- before the write it guards (lib/write_budget.c): a write that is rolled back (refused input, a
-- post that is not there, a lost race) gives its token back. So the take leaves synchronous_commit
-- alone: it would make the guarded post an asynchronous commit too, and a post the person was told
-- is stored must never be lost in a crash.
--
-- At most five rows a person, going with the account (cascade); nothing a person wrote. The
-- application role changes the table only through astral_write_take(), and only for the person
-- its transaction runs as: nobody refills or drains a budget by hand. It may read the person's own
-- rows, for their data export (GET /api/me/export), as it reads ai_usage.
CREATE TABLE write_budgets (
	user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	action text NOT NULL CHECK (action IN ('post', 'report', 'direct_request', 'reflection', 'video')),
	tokens double precision NOT NULL,
	at timestamptz NOT NULL,
	PRIMARY KEY (user_id, action)
);
ALTER TABLE write_budgets ENABLE ROW LEVEL SECURITY;
ALTER TABLE write_budgets FORCE ROW LEVEL SECURITY;
CREATE POLICY write_budgets_owner ON write_budgets TO astral_owner USING (true);
CREATE POLICY write_budgets_self ON write_budgets FOR SELECT TO astral_app USING (user_id = astral_current_user_id());
GRANT SELECT ON write_budgets TO astral_app;

-- Take one write of p_action from p_user's budget at p_now: 0 when it may go on, else the seconds
-- until it could (nothing is taken then). A budget starts full (p_burst) and refills at p_rate a
-- second up to p_burst. Every call moves the budget's time to p_now, so a clock set back refills
-- nothing for the step and then goes on as usual. The row stays locked until the caller's
-- transaction ends, so two writes of one person at once are counted one after the other.
CREATE FUNCTION astral_write_take(p_user uuid, p_action text, p_now timestamptz, p_rate double precision,
                                  p_burst integer)
	RETURNS double precision
	LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
DECLARE
	had double precision;
	since timestamptz;
	have double precision;
BEGIN
	IF p_user IS NULL OR p_action IS NULL OR p_now IS NULL OR p_rate IS NULL OR p_rate <= 0
	   OR p_burst IS NULL OR p_burst < 1 THEN
		RAISE EXCEPTION 'astral_write_take: bad arguments' USING ERRCODE = '22023';
	END IF;
	IF p_user IS DISTINCT FROM astral_current_user_id() THEN
		RAISE EXCEPTION 'astral_write_take: only the signed-in person''s own budget' USING ERRCODE = '42501';
	END IF;
	SELECT b.tokens, b.at INTO had, since FROM write_budgets b
		WHERE b.user_id = p_user AND b.action = p_action FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO write_budgets (user_id, action, tokens, at) VALUES (p_user, p_action, p_burst - 1, p_now)
		ON CONFLICT (user_id, action) DO NOTHING;
		IF FOUND THEN
			RETURN 0;
		END IF;
		-- Another write of the same person made the row first: take from it.
		SELECT b.tokens, b.at INTO had, since FROM write_budgets b
			WHERE b.user_id = p_user AND b.action = p_action FOR UPDATE;
	END IF;
	have := least(p_burst, had + greatest(0, extract(epoch FROM p_now - since)) * p_rate);
	-- A token refilled to within rounding counts as whole: who comes back after the wait they were
	-- told is let in.
	IF have >= 1 - 1e-9 THEN
		UPDATE write_budgets SET tokens = greatest(have - 1, 0), at = p_now WHERE user_id = p_user AND action = p_action;
		RETURN 0;
	END IF;
	UPDATE write_budgets SET tokens = have, at = p_now WHERE user_id = p_user AND action = p_action;
	RETURN greatest((1 - have) / p_rate, 0.001);
END $$;
REVOKE ALL ON FUNCTION astral_write_take(uuid, text, timestamptz, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_write_take(uuid, text, timestamptz, double precision, integer) TO astral_app;
