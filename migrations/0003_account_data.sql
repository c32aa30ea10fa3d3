-- What a person chooses: consents to legal documents, preferences, blocks.

CREATE TABLE consents (
	user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	document    text NOT NULL CHECK (document IN ('terms_of_service', 'privacy_policy', 'helper_agreement')),
	version     text NOT NULL,
	accepted_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, document, version)
);

CREATE TABLE preferences (
	user_id          uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	theme            text NOT NULL DEFAULT 'system' CHECK (theme IN ('system', 'light', 'dark')),
	language         text NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'es')),
	content_filters  text[] NOT NULL DEFAULT '{}',
	research_consent boolean NOT NULL DEFAULT false,
	updated_at       timestamptz NOT NULL
);

CREATE TABLE blocks (
	blocker_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	blocked_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (blocker_id, blocked_id),
	CHECK (blocker_id <> blocked_id)
);
CREATE INDEX blocks_blocked ON blocks (blocked_id);
