-- Direct requests whose helper deleted their account before the account deletion declined them
-- (cgi-bin/auth, me_delete): the foreign key cleared requested_helper_id and left the status
-- 'direct_request', so nobody could accept, decline or publish them. They go back to their
-- authors as declined, as the deletion now does; the author may publish or resolve each.
-- updated_at stays: no request's clock runs here, and nothing reads it for these posts.
UPDATE posts SET status = 'declined' WHERE status = 'direct_request' AND requested_helper_id IS NULL;
