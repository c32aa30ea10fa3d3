-- Accounts, sessions, refresh-token families and per-user data keys.

CREATE TYPE astral_role AS ENUM ('seeker', 'helper', 'moderator', 'admin');

CREATE TABLE users (
	id               uuid PRIMARY KEY,
	role             astral_role NOT NULL,
	helper_tier      text CHECK (helper_tier IN ('community', 'certified')),
	username         text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
	display_name     text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 50),
	password_hash    text,
	recovery_hash    bytea UNIQUE,
	totp_secret      bytea,          -- sealed with the user's data key
	totp_pending     bytea,          -- sealed; set by enrol, moved to totp_secret by confirm
	totp_last_step   bigint NOT NULL DEFAULT 0,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL,
	CHECK ((role = 'helper') = (helper_tier IS NOT NULL) OR role IN ('moderator', 'admin'))
);

-- Per-user data key, wrapped by a master key of the keyring. Deleting this row makes every
-- field sealed with it unreadable, in backups too.
CREATE TABLE user_keys (
	user_id        uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	master_version integer NOT NULL,
	wrapped_key    bytea NOT NULL,
	created_at     timestamptz NOT NULL,
	rewrapped_at   timestamptz
);
CREATE INDEX user_keys_master_version ON user_keys (master_version);

-- A session is one refresh-token family.
CREATE TABLE sessions (
	id            uuid PRIMARY KEY,
	user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at    timestamptz NOT NULL,
	last_seen_at  timestamptz NOT NULL,
	expires_at    timestamptz NOT NULL,
	mfa           boolean NOT NULL DEFAULT false,
	revoked_at    timestamptz,
	revoke_reason text CHECK (revoke_reason IN ('logout', 'token_reuse', 'password_change',
	                                            'account_delete', 'idle', 'absolute', 'role_change', 'ban'))
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
	token_hash     bytea PRIMARY KEY,           -- SHA-256 of the token; the token itself is never stored
	session_id     uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
	user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	issued_at      timestamptz NOT NULL,
	rotated_at     timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failed sign-in attempts per login name (hashed), whether or not the account exists, so the
-- delay itself does not tell an attacker which names are real.
CREATE TABLE login_throttle (
	name_hash       bytea PRIMARY KEY,
	failures        integer NOT NULL DEFAULT 0,
	next_allowed_at timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);
