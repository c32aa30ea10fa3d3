-- Privileges of the application role and row-level security, the second wall behind the
-- checks in C. Every request's transaction sets astral.user_id and astral.role; with them
-- unset the application role sees no private row.

GRANT SELECT, INSERT, UPDATE, DELETE ON users, user_keys, sessions, refresh_tokens,
	consents, preferences, blocks, login_throttle TO astral_app;
GRANT SELECT, INSERT ON audit_log TO astral_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_self_or_staff ON users TO astral_app
	USING (id = astral_current_user_id() OR astral_is_staff())
	WITH CHECK (id = astral_current_user_id() OR astral_current_role() = 'admin');

ALTER TABLE user_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY user_keys_self ON user_keys TO astral_app
	USING (user_id = astral_current_user_id());

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_self ON sessions TO astral_app
	USING (user_id = astral_current_user_id());

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY refresh_tokens_self ON refresh_tokens TO astral_app
	USING (user_id = astral_current_user_id());

ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
CREATE POLICY consents_self ON consents TO astral_app
	USING (user_id = astral_current_user_id());

ALTER TABLE preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY preferences_self ON preferences TO astral_app
	USING (user_id = astral_current_user_id());

ALTER TABLE blocks ENABLE ROW LEVEL SECURITY;
ALTER TABLE blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY blocks_self ON blocks TO astral_app
	USING (blocker_id = astral_current_user_id());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_append ON audit_log FOR INSERT TO astral_app WITH CHECK (true);
CREATE POLICY audit_log_read ON audit_log FOR SELECT TO astral_app
	USING (subject_id = astral_current_user_id() OR actor_id = astral_current_user_id()
	       OR astral_current_role() = 'admin');

-- The owner (astralctl: key rotation, audit verification; the SECURITY DEFINER functions
-- below) sees every row.
CREATE POLICY users_owner ON users TO astral_owner USING (true);
CREATE POLICY user_keys_owner ON user_keys TO astral_owner USING (true);
CREATE POLICY sessions_owner ON sessions TO astral_owner USING (true);
CREATE POLICY refresh_tokens_owner ON refresh_tokens TO astral_owner USING (true);
CREATE POLICY consents_owner ON consents TO astral_owner USING (true);
CREATE POLICY preferences_owner ON preferences TO astral_owner USING (true);
CREATE POLICY blocks_owner ON blocks TO astral_owner USING (true);
CREATE POLICY audit_log_owner ON audit_log TO astral_owner USING (true);

-- Pre-authentication look-ups: before a caller is known, these return exactly what the
-- sign-in flows need and nothing else.
CREATE FUNCTION astral_auth_find_login(p_username text)
	RETURNS TABLE (id uuid, role astral_role, password_hash text, totp_enabled boolean)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT u.id, u.role, u.password_hash, u.totp_secret IS NOT NULL
	      FROM users u WHERE u.username = p_username $$;

CREATE FUNCTION astral_auth_find_recovery(p_hash bytea)
	RETURNS TABLE (id uuid, role astral_role)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT u.id, u.role FROM users u WHERE u.recovery_hash = p_hash $$;

CREATE FUNCTION astral_auth_find_refresh(p_hash bytea)
	RETURNS TABLE (session_id uuid, user_id uuid, role astral_role, rotated_at timestamptz)
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT t.session_id, t.user_id, u.role, t.rotated_at
	      FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = p_hash $$;

-- Another user's public name (for block lists); NULL when there is no such user.
CREATE FUNCTION astral_user_public_name(p_id uuid) RETURNS text
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
	AS $$ SELECT u.display_name FROM users u WHERE u.id = p_id $$;

REVOKE ALL ON FUNCTION astral_auth_find_login(text), astral_auth_find_recovery(bytea),
	astral_auth_find_refresh(bytea), astral_user_public_name(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION astral_auth_find_login(text), astral_auth_find_recovery(bytea),
	astral_auth_find_refresh(bytea), astral_user_public_name(uuid) TO astral_app;
