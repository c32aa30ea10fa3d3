-- Functions that run once per row or per statement (in row-level security policies and the
-- audit trigger), rewritten in PL/pgSQL.
--
-- A SQL-language function that is SECURITY DEFINER, has SET search_path, or takes an argument
-- it cannot cheaply repeat is never inlined, and PostgreSQL parses and plans its body again in
-- every query that calls it. A PL/pgSQL body is planned once per connection and the plan kept.
-- Under load, sending a message spent a fifth of the database's CPU re-planning these four
-- (perf over bench/run; docs/architecture.md, "Hot functions are PL/pgSQL").
--
-- Same names, arguments, results, security and privileges: no caller changes.

-- The canonical audit row (see 0004_audit_log.sql for the format; lib/audit.c recomputes it).
CREATE OR REPLACE FUNCTION astral_audit_canonical(r audit_log) RETURNS text
	LANGUAGE plpgsql IMMUTABLE
	AS $$
	DECLARE
		fields text[] := ARRAY[r.id::text,
		                       ((extract(epoch FROM r.occurred_at) * 1000000)::bigint)::text,
		                       r.actor_id::text, r.actor_role, r.action, r.object_type, r.object_id,
		                       r.subject_id::text, r.outcome, r.request_id, r.detail];
		field text;
		canonical text := '';
	BEGIN
		FOREACH field IN ARRAY fields LOOP
			canonical := canonical || CASE WHEN field IS NULL THEN '-;'
			                               ELSE char_length(field)::text || ':' || field || ';' END;
		END LOOP;
		RETURN canonical;
	END
	$$;

CREATE OR REPLACE FUNCTION astral_in_session(p_session uuid) RETURNS boolean
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	BEGIN
		RETURN EXISTS (SELECT 1 FROM help_sessions s WHERE s.id = p_session
		               AND astral_current_user_id() IN (s.seeker_id, s.helper_id));
	END
	$$;

CREATE OR REPLACE FUNCTION astral_helps_on_post(p_post uuid) RETURNS boolean
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	BEGIN
		RETURN EXISTS (SELECT 1 FROM help_sessions s WHERE s.post_id = p_post
		               AND s.helper_id = astral_current_user_id());
	END
	$$;

CREATE OR REPLACE FUNCTION astral_user_public_name(p_id uuid) RETURNS text
	LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
	BEGIN
		RETURN (SELECT u.display_name FROM users u WHERE u.id = p_id);
	END
	$$;
