-- Wellness videos (cgi-bin/videos): uploads wait as `pending` until a moderator approves them;
-- approved ones form a feed any signed-in user sees, with one like per user. The bytes live in a
-- directory outside the web root (media.video_dir), one file named by the video id; this table
-- holds only what describes them. The like counter is kept by a trigger (a client never sets it).

CREATE TABLE wellness_videos (
	id          uuid PRIMARY KEY,
	uploader_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 500),
	mime        text NOT NULL CHECK (mime IN ('video/mp4', 'video/webm')),
	size        bigint NOT NULL CHECK (size BETWEEN 1 AND 52428800),
	status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
	like_count  integer NOT NULL DEFAULT 0 CHECK (like_count >= 0),
	created_at  timestamptz NOT NULL,
	decided_at  timestamptz,
	decided_by  uuid REFERENCES users(id) ON DELETE SET NULL,
	-- A decision has a time; a pending video has none.
	CHECK ((status = 'pending') = (decided_at IS NULL))
);
-- The feed reads approved videos newest first; "mine" reads one uploader's, newest first.
CREATE INDEX wellness_videos_feed ON wellness_videos (created_at DESC, id DESC) WHERE status = 'approved';
CREATE INDEX wellness_videos_uploader ON wellness_videos (uploader_id, created_at DESC, id DESC);
CREATE INDEX wellness_videos_pending ON wellness_videos (created_at) WHERE status = 'pending';
CREATE INDEX wellness_videos_decided_by ON wellness_videos (decided_by) WHERE decided_by IS NOT NULL;

CREATE TABLE video_likes (
	video_id   uuid NOT NULL REFERENCES wellness_videos(id) ON DELETE CASCADE,
	user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (video_id, user_id)
);
CREATE INDEX video_likes_user ON video_likes (user_id);

-- Run as the owner so that a viewer may move the counter of a video whose row they may not
-- update; the trigger touches nothing but the counter.
CREATE FUNCTION astral_video_like_count() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
	AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		UPDATE wellness_videos SET like_count = like_count + 1 WHERE id = NEW.video_id;
	ELSE
		UPDATE wellness_videos SET like_count = greatest(like_count - 1, 0) WHERE id = OLD.video_id;
	END IF;
	RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION astral_video_like_count() FROM PUBLIC;
CREATE TRIGGER video_likes_count AFTER INSERT OR DELETE ON video_likes
	FOR EACH ROW EXECUTE FUNCTION astral_video_like_count();

-- ------------------------------------------------------------------ privileges and RLS
-- No UPDATE or DELETE for the app: decisions come with the moderation screens, and an account's
-- videos go with the account (ON DELETE CASCADE).
GRANT SELECT, INSERT ON wellness_videos TO astral_app;
GRANT SELECT, INSERT, DELETE ON video_likes TO astral_app;

-- Approved videos to any signed-in user; one's own uploads in any status; staff all of them.
ALTER TABLE wellness_videos ENABLE ROW LEVEL SECURITY;
ALTER TABLE wellness_videos FORCE ROW LEVEL SECURITY;
CREATE POLICY wellness_videos_read ON wellness_videos FOR SELECT TO astral_app
	USING (astral_current_user_id() IS NOT NULL
	       AND (status = 'approved' OR uploader_id = astral_current_user_id() OR astral_is_staff()));
CREATE POLICY wellness_videos_upload ON wellness_videos FOR INSERT TO astral_app
	WITH CHECK (uploader_id = astral_current_user_id() AND status = 'pending' AND like_count = 0
	            AND decided_at IS NULL AND decided_by IS NULL);

-- One's own likes, and only of a video one can see that is approved.
ALTER TABLE video_likes ENABLE ROW LEVEL SECURITY;
ALTER TABLE video_likes FORCE ROW LEVEL SECURITY;
CREATE POLICY video_likes_self ON video_likes TO astral_app
	USING (user_id = astral_current_user_id())
	WITH CHECK (user_id = astral_current_user_id()
	            AND EXISTS (SELECT 1 FROM wellness_videos v WHERE v.id = video_id AND v.status = 'approved'));

CREATE POLICY wellness_videos_owner ON wellness_videos TO astral_owner USING (true);
CREATE POLICY video_likes_owner ON video_likes TO astral_owner USING (true);
