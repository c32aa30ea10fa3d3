/* cgi-bin/moderation: the route table. Everything else is in the handlers and libastral. The
   dispatcher answers 401 and 403 (a role the route does not allow, a staff session without MFA)
   before any handler runs. */
#include "moderation.h"
#include "program.h"

static const struct astral_route routes[] = {
	{ "GET", "/api/moderation/reports", moderation_reports, ASTRAL_STAFF, &moderation_page_input, 0 },
	{ "POST", "/api/moderation/reports/{uuid}/dismiss", moderation_report_dismiss, ASTRAL_STAFF,
	  &moderation_dismiss_input, ASTRAL_BODY_OPTIONAL },
	{ "DELETE", "/api/moderation/posts/{uuid}", moderation_post_remove, ASTRAL_STAFF, &moderation_reason_input, 0 },
	{ "GET", "/api/moderation/alerts", moderation_alerts, ASTRAL_STAFF, &moderation_alerts_input, 0 },
	{ "GET", "/api/moderation/alerts/{uuid}", moderation_alert_get, ASTRAL_STAFF, NULL, 0 },
	{ "POST", "/api/moderation/alerts/{uuid}/ack", moderation_alert_ack, ASTRAL_STAFF, NULL, 0 },
	{ "POST", "/api/moderation/alerts/{uuid}/resolve", moderation_alert_resolve, ASTRAL_STAFF,
	  &moderation_resolve_input, 0 },
	{ "GET", "/api/moderation/users/{uuid}", moderation_user_get, ASTRAL_STAFF, NULL, 0 },
	{ "POST", "/api/moderation/users/{uuid}/warn", moderation_user_warn, ASTRAL_STAFF, &moderation_reason_input, 0 },
	{ "POST", "/api/moderation/users/{uuid}/ban", moderation_user_ban, ASTRAL_STAFF, &moderation_ban_input, 0 },
	{ "POST", "/api/moderation/users/{uuid}/unban", moderation_user_unban, ASTRAL_STAFF, &moderation_reason_input, 0 },
	{ "GET", "/api/moderation/history", moderation_history, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/moderation/videos", moderation_videos, ASTRAL_STAFF, &moderation_page_input, 0 },
	{ "POST", "/api/moderation/videos/{uuid}/approve", moderation_video_approve, ASTRAL_STAFF, NULL, 0 },
	{ "POST", "/api/moderation/videos/{uuid}/reject", moderation_video_reject, ASTRAL_STAFF,
	  &moderation_reason_input, 0 },
	{ "POST", "/api/moderation/break-glass", moderation_grant_open, ASTRAL_STAFF, &moderation_grant_input, 0 },
	{ "GET", "/api/moderation/break-glass", moderation_grants, ASTRAL_STAFF, NULL, 0 },
	{ "GET", "/api/moderation/sessions/{uuid}/messages", moderation_session_messages, ASTRAL_STAFF,
	  &moderation_page_input, 0 },
	{ "GET", "/api/admin/applications", moderation_applications, ASTRAL_ADMIN, &moderation_applications_input, 0 },
	{ "PUT", "/api/admin/applications/{uuid}", moderation_application_decide, ASTRAL_ADMIN,
	  &moderation_decide_input, 0 },
	{ "PUT", "/api/admin/users/{uuid}/role", moderation_role_set, ASTRAL_ADMIN, &moderation_role_input, 0 },
	{ "GET", "/api/admin/stats", moderation_stats, ASTRAL_ADMIN, &moderation_stats_input, 0 },
	{ "GET", "/api/admin/audit", moderation_audit_log, ASTRAL_ADMIN, &moderation_audit_input, 0 },
};

ASTRAL_PROGRAM("moderation", routes, moderation_stmts, MOD_STMT_COUNT)
