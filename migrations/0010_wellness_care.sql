-- Wellness, the care half (issue 5, items 4-6): the private journal, PHQ-9 and GAD-7 screenings,
-- and the safety plan. Every text a user writes here is sealed with that user's data key
-- (AES-256-GCM, AAD "table|column|row id", lib/crypt.h) before it reaches the database; the
-- columns in clear are the ones the lists sort and the moderators' alerts need: times, the kind,
-- the score and its band, the item-9 flag and the answer to "may someone reach out?".
-- Only the owner reads or writes these rows; no staff policy (a crisis alert, raised only with
-- the person's consent, points at the assessment's id and never carries its answers).

-- ------------------------------------------------------------------ journal
CREATE TABLE journal_entries (
	id              uuid PRIMARY KEY,
	user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	body            bytea NOT NULL,          -- sealed, AAD journal_entries|body|<id>; <= 2000 code points
	crisis_severity text NOT NULL DEFAULT 'none' CHECK (crisis_severity IN ('none', 'low', 'medium', 'high')),
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);
CREATE INDEX journal_entries_user_newest ON journal_entries (user_id, created_at DESC, id DESC);

-- ------------------------------------------------------------------ assessments
CREATE TABLE assessments (
	id                   uuid PRIMARY KEY,
	user_id              uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind                 text NOT NULL CHECK (kind IN ('phq9', 'gad7')),
	score                integer NOT NULL
	                     CHECK (score >= 0 AND score <= CASE kind WHEN 'phq9' THEN 27 ELSE 21 END),
	band                 text NOT NULL
	                     CHECK (band IN ('minimal', 'mild', 'moderate', 'moderately_severe', 'severe')),
	answers              bytea NOT NULL,     -- sealed JSON array of 0..3, AAD assessments|answers|<id>
	item9_positive       boolean NOT NULL DEFAULT false CHECK (kind = 'phq9' OR NOT item9_positive),
	-- NULL: not asked or not answered yet; only a PHQ-9 with item 9 above 0 asks.
	contact_requested    boolean CHECK (contact_requested IS NULL OR item9_positive),
	contact_requested_at timestamptz,
	created_at           timestamptz NOT NULL
);
CREATE INDEX assessments_user_newest ON assessments (user_id, created_at DESC, id DESC);

-- ------------------------------------------------------------------ safety plans
CREATE TABLE safety_plans (
	user_id    uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	plan       bytea NOT NULL,               -- sealed JSON document, AAD safety_plans|plan|<user id>
	updated_at timestamptz NOT NULL
);

-- ------------------------------------------------------------------ privileges and RLS
GRANT SELECT, INSERT, UPDATE, DELETE ON journal_entries TO astral_app;
GRANT SELECT, INSERT, UPDATE ON assessments, safety_plans TO astral_app;

ALTER TABLE journal_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE journal_entries FORCE ROW LEVEL SECURITY;
CREATE POLICY journal_entries_self ON journal_entries TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY assessments_self ON assessments TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

ALTER TABLE safety_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE safety_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY safety_plans_self ON safety_plans TO astral_app
	USING (user_id = astral_current_user_id()) WITH CHECK (user_id = astral_current_user_id());

CREATE POLICY journal_entries_owner ON journal_entries TO astral_owner USING (true);
CREATE POLICY assessments_owner ON assessments TO astral_owner USING (true);
CREATE POLICY safety_plans_owner ON safety_plans TO astral_owner USING (true);
