/* cgi-bin/auth: the route table. Everything else is in the handlers and libastral. The /api/auth/ routes
   take from the client address's budget when [auth] address_rate is set (a web server without
   nginx's limit_req in front). */
#include "auth.h"
#include "program.h"

static const struct astral_route routes[] = {
	{ "POST", "/api/auth/anonymous", auth_anonymous, ASTRAL_PUBLIC, &auth_anonymous_input, ASTRAL_BODY_OPTIONAL | ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/register", auth_register, ASTRAL_PUBLIC, &auth_register_input, ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/login", auth_login, ASTRAL_PUBLIC, &auth_login_input, ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/recover", auth_recover, ASTRAL_PUBLIC, &auth_recover_input, ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/refresh", auth_refresh, ASTRAL_PUBLIC, &auth_refresh_input, ASTRAL_BODY_OPTIONAL | ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/logout", auth_logout, ASTRAL_ANY_USER, NULL, ASTRAL_NO_MFA_NEEDED | ASTRAL_ADDRESS_BUDGET },
	{ "GET", "/api/auth/session", auth_session, ASTRAL_ANY_USER, NULL, ASTRAL_NO_MFA_NEEDED | ASTRAL_SESSION_FIRST | ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/password", auth_password, ASTRAL_ANY_USER, &auth_password_input, ASTRAL_NO_MFA_NEEDED | ASTRAL_ADDRESS_BUDGET },
	{ "POST", "/api/auth/mfa", auth_mfa_post, ASTRAL_ANY_USER, &auth_mfa_post_input, ASTRAL_NO_MFA_NEEDED | ASTRAL_ADDRESS_BUDGET },
	{ "DELETE", "/api/auth/mfa", auth_mfa_delete, ASTRAL_ANY_USER, &auth_mfa_delete_input, ASTRAL_ADDRESS_BUDGET },
	{ "GET", "/api/me/preferences", me_preferences_get, ASTRAL_ANY_USER, NULL, 0 },
	{ "PUT", "/api/me/preferences", me_preferences_put, ASTRAL_ANY_USER, &me_preferences_input, 0 },
	{ "GET", "/api/me/consents", me_consents_get, ASTRAL_ANY_USER, NULL, ASTRAL_NO_MFA_NEEDED },
	{ "POST", "/api/me/consents", me_consents_post, ASTRAL_ANY_USER, &me_consents_input, ASTRAL_NO_MFA_NEEDED },
	{ "GET", "/api/me/blocks", me_blocks_get, ASTRAL_ANY_USER, &me_blocks_list_input, 0 },
	{ "POST", "/api/me/blocks", me_blocks_post, ASTRAL_ANY_USER, &me_blocks_input, 0 },
	{ "DELETE", "/api/me/blocks/{uuid}", me_blocks_delete, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/me/export", me_export, ASTRAL_ANY_USER, NULL, 0 },
	{ "PUT", "/api/me", me_display_name_put, ASTRAL_ANY_USER, &me_display_name_input, 0 },
	{ "DELETE", "/api/me", me_delete, ASTRAL_ANY_USER, &me_delete_input, 0 },
	{ "GET", "/api/me/access-log", me_access_log, ASTRAL_ANY_USER, &me_access_log_input, 0 },
};

ASTRAL_PROGRAM("auth", routes, auth_stmts, AUTH_STMT_COUNT)
