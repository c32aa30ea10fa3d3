-- A person's moderation actions in the order they were taken. Their times are whole seconds (the
-- request's clock), and the lists were ordered by time then by id, a random UUID: two actions in
-- the same second (a warning and then a ban, a moderator's quick second reminder) came back in
-- either order, to the moderator and to the person. `seq` is the order of insertion and breaks the
-- tie; the index serves both lists (MOD_USER_ACTIONS, MOD_HISTORY_ACTIONS) in that order.
ALTER TABLE moderation_actions ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
DROP INDEX moderation_actions_user;
CREATE INDEX moderation_actions_user ON moderation_actions (user_id, created_at DESC, seq DESC);
