-- Roles and the per-request context helpers used by row-level security.
-- Run by `astralctl migrate` as the owner role (astral_owner), which must be allowed to create roles.

DO $$
BEGIN
	-- The owner role owns every object; policies name it so that the few SECURITY DEFINER
	-- functions (pre-authentication look-ups, the audit chain) can see rows under FORCE RLS.
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'astral_owner') THEN
		CREATE ROLE astral_owner NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'astral_app') THEN
		CREATE ROLE astral_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
	END IF;
END
$$;

REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO astral_app;

-- The signed-in user and role of the current transaction, set by libastral with
-- set_config('astral.user_id', …, true) and set_config('astral.role', …, true).
CREATE FUNCTION astral_current_user_id() RETURNS uuid
	LANGUAGE sql STABLE
	AS $$ SELECT nullif(current_setting('astral.user_id', true), '')::uuid $$;

CREATE FUNCTION astral_current_role() RETURNS text
	LANGUAGE sql STABLE
	AS $$ SELECT coalesce(nullif(current_setting('astral.role', true), ''), 'anonymous') $$;

CREATE FUNCTION astral_is_staff() RETURNS boolean
	LANGUAGE sql STABLE
	AS $$ SELECT astral_current_role() IN ('moderator', 'admin') $$;

GRANT EXECUTE ON FUNCTION astral_current_user_id(), astral_current_role(), astral_is_staff() TO astral_app;
