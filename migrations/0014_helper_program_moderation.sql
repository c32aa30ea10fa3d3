-- The helper program (training, certification, the helpers' community) and moderation
-- (sanctions, decisions, break-glass). Contracts: docs/helper-program-api-contract.md and
-- docs/moderation-api-contract.md. Counters are kept by triggers; row-level security mirrors
-- the role checks the programs make.

-- ------------------------------------------------------------------ training and certification
-- Every quiz attempt, graded on the server. The training counts as done once one attempt passed.
CREATE TABLE helper_training_attempts (
	id         uuid PRIMARY KEY,
	helper_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	correct    integer NOT NULL CHECK (correct >= 0),
	total      integer NOT NULL CHECK (total > 0 AND correct <= total),
	score      integer NOT NULL CHECK (score BETWEEN 0 AND 100),   -- percent, rounded down
	passed     boolean NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX helper_training_attempts_helper ON helper_training_attempts (helper_id, created_at DESC);

-- An application for certification. At most one pending per helper; a rejected helper may
-- apply again (a new row), so the history of decisions stays.
CREATE TABLE helper_applications (
	id           uuid PRIMARY KEY,
	helper_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
	motivation   text CHECK (char_length(motivation) <= 1000),
	quiz_score   integer NOT NULL CHECK (quiz_score BETWEEN 0 AND 100),
	submitted_at timestamptz NOT NULL,
	decided_at   timestamptz,
	decided_by   uuid REFERENCES users(id) ON DELETE SET NULL,
	notes        text CHECK (char_length(notes) <= 1000),
	CHECK ((status = 'pending') = (decided_at IS NULL)),
	CHECK (status <> 'rejected' OR char_length(notes) >= 1)
);
CREATE UNIQUE INDEX helper_applications_one_pending ON helper_applications (helper_id) WHERE status = 'pending';
CREATE INDEX helper_applications_queue ON helper_applications (submitted_at) WHERE status = 'pending';
CREATE INDEX helper_applications_helper ON helper_applications (helper_id, submitted_at DESC);
CREATE INDEX helper_applications_decided_by ON helper_applications (decided_by) WHERE decided_by IS NOT NULL;

-- ------------------------------------------------------------------ the helpers' community
-- A thread outlives its author (the replies are other people's); the author's own replies go
-- with their account.
CREATE TABLE community_threads (
	id           uuid PRIMARY KEY,
	author_id    uuid REFERENCES users(id) ON DELETE SET NULL,
	title        text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 120),
	created_at   timestamptz NOT NULL,
	last_post_at timestamptz NOT NULL,
	post_count   integer NOT NULL DEFAULT 0 CHECK (post_count >= 0)
);
CREATE INDEX community_threads_recent ON community_threads (last_post_at DESC, id DESC);
CREATE INDEX community_threads_author ON community_threads (author_id);

CREATE TABLE community_posts (
	id         uuid PRIMARY KEY,
	thread_id  uuid NOT NULL REFERENCES community_threads(id) ON DELETE CASCADE,
	author_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	content    text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 5000),
	created_at timestamptz NOT NULL
);
CREATE INDEX community_posts_thread ON community_posts (thread_id, created_at, id);
CREATE INDEX community_posts_author ON community_posts (author_id);

CREATE TABLE community_proposals (
	id            uuid PRIMARY KEY,
	author_id     uuid REFERENCES users(id) ON DELETE SET NULL,
	title         text NOT NULL CHECK (char_length(title) BETWEEN 3 AND 120),
	description   text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 2000),
	created_at    timestamptz NOT NULL,
	ends_at       timestamptz NOT NULL CHECK (ends_at > created_at),
	votes_for     integer NOT NULL DEFAULT 0 CHECK (votes_for >= 0),
	votes_against integer NOT NULL DEFAULT 0 CHECK (votes_against >= 0),
	votes_abstain integer NOT NULL DEFAULT 0 CHECK (votes_abstain >= 0)
);
CREATE INDEX community_proposals_recent ON community_proposals (created_at DESC, id DESC);
CREATE INDEX community_proposals_author ON community_proposals (author_id);

CREATE TABLE community_votes (
	proposal_id uuid NOT NULL REFERENCES community_proposals(id) ON DELETE CASCADE,
	helper_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	vote        text NOT NULL CHECK (vote IN ('for', 'against', 'abstain')),
	created_at  timestamptz NOT NULL,
	PRIMARY KEY (proposal_id, helper_id)
);
CREATE INDEX community_votes_helper ON community_votes (helper_id);

-- Run as the owner so that a replier may move the counters of a thread they did not start,
-- and a voter those of a proposal; the triggers touch nothing but the counters.
CREATE FUNCTION astral_community_post_count() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE community_threads SET post_count = post_count + 1,
		       last_post_at = greatest(last_post_at, NEW.created_at)
		 WHERE id = NEW.thread_id;
	ELSE
		UPDATE community_threads SET post_count = post_count - 1 WHERE id = OLD.thread_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER community_posts_count AFTER INSERT OR DELETE ON community_posts
	FOR EACH ROW EXECUTE FUNCTION astral_community_post_count();

CREATE FUNCTION astral_community_vote_count() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE community_proposals SET
		       votes_for = votes_for + (NEW.vote = 'for')::int,
		       votes_against = votes_against + (NEW.vote = 'against')::int,
		       votes_abstain = votes_abstain + (NEW.vote = 'abstain')::int
		 WHERE id = NEW.proposal_id;
	ELSE
		UPDATE community_proposals SET
		       votes_for = votes_for - (OLD.vote = 'for')::int,
		       votes_against = votes_against - (OLD.vote = 'against')::int,
		       votes_abstain = votes_abstain - (OLD.vote = 'abstain')::int
		 WHERE id = OLD.proposal_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER community_votes_count AFTER INSERT OR DELETE ON community_votes
	FOR EACH ROW EXECUTE FUNCTION astral_community_vote_count();

-- ------------------------------------------------------------------ moderation
-- What staff did to a person or their content, with the reason the person is shown
-- (GET /api/moderation/history). Kept when the moderator's account goes.
CREATE TABLE moderation_actions (
	id           uuid PRIMARY KEY,
	user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,   -- whom it concerns
	moderator_id uuid REFERENCES users(id) ON DELETE SET NULL,
	action       text NOT NULL CHECK (action IN ('warning', 'ban', 'unban', 'post_removed', 'video_rejected')),
	reason       text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
	post_id      uuid REFERENCES posts(id) ON DELETE SET NULL,
	video_id     uuid REFERENCES wellness_videos(id) ON DELETE SET NULL,
	expires_at   timestamptz,                                            -- a timed ban's end
	created_at   timestamptz NOT NULL
);
CREATE INDEX moderation_actions_user ON moderation_actions (user_id, created_at DESC);
CREATE INDEX moderation_actions_moderator ON moderation_actions (moderator_id) WHERE moderator_id IS NOT NULL;

-- A ban in force: one row per banned account; NULL expires_at is permanent. Lifting a ban
-- deletes the row (the history stays in moderation_actions and the audit log).
CREATE TABLE account_bans (
	user_id    uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	reason     text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
	banned_by  uuid REFERENCES users(id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz CHECK (expires_at > created_at)
);
CREATE INDEX account_bans_banned_by ON account_bans (banned_by) WHERE banned_by IS NOT NULL;

-- Closing an alert needs a note of what was done.
ALTER TABLE crisis_alerts ADD COLUMN resolution_note text
	CHECK (char_length(resolution_note) BETWEEN 1 AND 1000);
ALTER TABLE crisis_alerts ADD CONSTRAINT crisis_alerts_resolved_with_note
	CHECK (status <> 'resolved' OR resolution_note IS NOT NULL) NOT VALID;

-- A rejected video says why, to its uploader.
ALTER TABLE wellness_videos ADD COLUMN decision_note text CHECK (char_length(decision_note) <= 500);

-- Break-glass: a moderator's time-boxed, audited right to read one help session whole.
CREATE TABLE break_glass_grants (
	id         uuid PRIMARY KEY,
	staff_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	session_id uuid NOT NULL REFERENCES help_sessions(id) ON DELETE CASCADE,
	reason     text NOT NULL CHECK (char_length(reason) BETWEEN 10 AND 500),
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX break_glass_grants_staff ON break_glass_grants (staff_id, session_id, expires_at);
CREATE INDEX break_glass_grants_session ON break_glass_grants (session_id);

-- ------------------------------------------------------------------ privileges and RLS
GRANT SELECT, INSERT ON helper_training_attempts TO astral_app;
GRANT SELECT, INSERT, UPDATE ON helper_applications TO astral_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON community_threads, community_posts, community_proposals TO astral_app;
GRANT SELECT, INSERT ON community_votes TO astral_app;
GRANT SELECT, INSERT ON moderation_actions TO astral_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON account_bans TO astral_app;
GRANT SELECT, INSERT ON break_glass_grants TO astral_app;

-- The helper's own attempts; staff read them (the review shows the score).
ALTER TABLE helper_training_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE helper_training_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY helper_training_attempts_read ON helper_training_attempts FOR SELECT TO astral_app
	USING (helper_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY helper_training_attempts_insert ON helper_training_attempts FOR INSERT TO astral_app
	WITH CHECK (helper_id = astral_current_user_id() AND astral_current_role() = 'helper');

-- A helper applies and reads their own; admins decide.
ALTER TABLE helper_applications ENABLE ROW LEVEL SECURITY;
ALTER TABLE helper_applications FORCE ROW LEVEL SECURITY;
CREATE POLICY helper_applications_read ON helper_applications FOR SELECT TO astral_app
	USING (helper_id = astral_current_user_id() OR astral_current_role() = 'admin');
CREATE POLICY helper_applications_apply ON helper_applications FOR INSERT TO astral_app
	WITH CHECK (helper_id = astral_current_user_id() AND astral_current_role() = 'helper'
	            AND status = 'pending');
CREATE POLICY helper_applications_decide ON helper_applications FOR UPDATE TO astral_app
	USING (astral_current_role() = 'admin') WITH CHECK (astral_current_role() = 'admin');

-- The community is for helpers (and staff); each writes as themselves.
CREATE FUNCTION astral_in_community() RETURNS boolean
	LANGUAGE sql STABLE
	AS $$ SELECT astral_current_user_id() IS NOT NULL
	      AND astral_current_role() IN ('helper', 'moderator', 'admin') $$;
GRANT EXECUTE ON FUNCTION astral_in_community() TO astral_app;

ALTER TABLE community_threads ENABLE ROW LEVEL SECURITY;
ALTER TABLE community_threads FORCE ROW LEVEL SECURITY;
CREATE POLICY community_threads_read ON community_threads FOR SELECT TO astral_app
	USING (astral_in_community());
CREATE POLICY community_threads_write ON community_threads FOR INSERT TO astral_app
	WITH CHECK (astral_in_community() AND author_id = astral_current_user_id());
CREATE POLICY community_threads_change ON community_threads FOR UPDATE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY community_threads_delete ON community_threads FOR DELETE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());

ALTER TABLE community_posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE community_posts FORCE ROW LEVEL SECURITY;
CREATE POLICY community_posts_read ON community_posts FOR SELECT TO astral_app
	USING (astral_in_community());
CREATE POLICY community_posts_write ON community_posts FOR INSERT TO astral_app
	WITH CHECK (astral_in_community() AND author_id = astral_current_user_id());
CREATE POLICY community_posts_change ON community_posts FOR UPDATE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY community_posts_delete ON community_posts FOR DELETE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());

ALTER TABLE community_proposals ENABLE ROW LEVEL SECURITY;
ALTER TABLE community_proposals FORCE ROW LEVEL SECURITY;
CREATE POLICY community_proposals_read ON community_proposals FOR SELECT TO astral_app
	USING (astral_in_community());
CREATE POLICY community_proposals_write ON community_proposals FOR INSERT TO astral_app
	WITH CHECK (astral_in_community() AND author_id = astral_current_user_id());
CREATE POLICY community_proposals_change ON community_proposals FOR UPDATE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY community_proposals_delete ON community_proposals FOR DELETE TO astral_app
	USING (author_id = astral_current_user_id() OR astral_is_staff());

ALTER TABLE community_votes ENABLE ROW LEVEL SECURITY;
ALTER TABLE community_votes FORCE ROW LEVEL SECURITY;
CREATE POLICY community_votes_read ON community_votes FOR SELECT TO astral_app
	USING (helper_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY community_votes_cast ON community_votes FOR INSERT TO astral_app
	WITH CHECK (helper_id = astral_current_user_id() AND astral_current_role() = 'helper');

-- A person reads what was done to them; staff read and record.
ALTER TABLE moderation_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE moderation_actions FORCE ROW LEVEL SECURITY;
CREATE POLICY moderation_actions_read ON moderation_actions FOR SELECT TO astral_app
	USING (user_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY moderation_actions_record ON moderation_actions FOR INSERT TO astral_app
	WITH CHECK (astral_is_staff() AND moderator_id = astral_current_user_id());

ALTER TABLE account_bans ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_bans FORCE ROW LEVEL SECURITY;
CREATE POLICY account_bans_read ON account_bans FOR SELECT TO astral_app
	USING (user_id = astral_current_user_id() OR astral_is_staff());
CREATE POLICY account_bans_work ON account_bans FOR ALL TO astral_app
	USING (astral_is_staff()) WITH CHECK (astral_is_staff());

-- A grant is its holder's; admins see every grant.
ALTER TABLE break_glass_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE break_glass_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY break_glass_grants_read ON break_glass_grants FOR SELECT TO astral_app
	USING (staff_id = astral_current_user_id() OR astral_current_role() = 'admin');
CREATE POLICY break_glass_grants_open ON break_glass_grants FOR INSERT TO astral_app
	WITH CHECK (astral_is_staff() AND staff_id = astral_current_user_id());

CREATE POLICY helper_training_attempts_owner ON helper_training_attempts TO astral_owner USING (true);
CREATE POLICY helper_applications_owner ON helper_applications TO astral_owner USING (true);
CREATE POLICY community_threads_owner ON community_threads TO astral_owner USING (true);
CREATE POLICY community_posts_owner ON community_posts TO astral_owner USING (true);
CREATE POLICY community_proposals_owner ON community_proposals TO astral_owner USING (true);
CREATE POLICY community_votes_owner ON community_votes TO astral_owner USING (true);
CREATE POLICY moderation_actions_owner ON moderation_actions TO astral_owner USING (true);
CREATE POLICY account_bans_owner ON account_bans TO astral_owner USING (true);
CREATE POLICY break_glass_grants_owner ON break_glass_grants TO astral_owner USING (true);
