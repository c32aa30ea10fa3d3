-- Direct requests waiting for someone who is no longer a helper: a role change before
-- lib/role_change.c handed them back left them 'direct_request', and only helpers may accept or
-- decline one, so they waited for nobody. They go back to their authors as declined, as a role
-- change now does; the author may publish or resolve each. updated_at stays, as in 0032.
UPDATE posts p SET status = 'declined'
FROM users u
WHERE p.status = 'direct_request' AND p.requested_helper_id = u.id AND u.role <> 'helper';
