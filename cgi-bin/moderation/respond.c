/* What several handlers share: JSON objects (UserRef, ModerationAction, UserStatus, Alert,
   Application), the excerpt, list bodies and cursors, the audit row and the sanction rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypt.h"
#include "help_session_key.h"
#include "json.h"
#include "log.h"
#include "moderation.h"
#include "validate.h"

#define AUDIT_DETAIL_MAX 200            /* code points (migrations/0004_audit_log.sql) */

void
moderation_add_time(struct json_object *o, const char *key, const PGresult *res, int row, int col)
{
	if (astral_db_value(res, row, col) == NULL)
		json_object_object_add(o, key, NULL);
	else
		astral_json_add_time(o, key, astral_db_int(res, row, col));
}

struct json_object *
moderation_user_ref(const PGresult *res, int row, int id_col)
{
	struct json_object *o;

	if (astral_db_value(res, row, id_col) == NULL)
		return NULL;
	o = json_object_new_object();
	astral_json_add_str(o, "id", astral_db_value(res, row, id_col));
	astral_json_add_str(o, "display_name", astral_db_value(res, row, id_col + 1));
	astral_json_add_str(o, "role", astral_db_value(res, row, id_col + 2));
	return o;
}

struct json_object *
moderation_json_column(const PGresult *res, int row, int col)
{
	const char *text = astral_db_value(res, row, col);
	struct json_object *v;
	const char *why;

	if (text == NULL || astral_json_parse(text, strlen(text), &v, &why) != ASTRAL_OK)
		return NULL;
	return v;
}

/* Bytes of the first `max` code points of well-formed UTF-8 `s`. */
static size_t
utf8_prefix_bytes(const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i] != '\0' && chars < max) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;

		for (size_t k = 1; k < n; k++)
			if (s[i + k] == '\0')
				return i;
		i += n;
		chars++;
	}
	return i;
}

char *
moderation_excerpt(const char *text, size_t max)
{
	size_t n;
	char *out;

	if (text == NULL || !astral_utf8_valid(text, strlen(text)))
		return NULL;
	n = utf8_prefix_bytes(text, max);
	out = malloc(n + 1);
	if (out != NULL) {
		memcpy(out, text, n);
		out[n] = '\0';
	}
	return out;
}

struct json_object *
moderation_list(struct json_object *items, const char *next)
{
	struct json_object *body = json_object_new_object();

	json_object_object_add(body, "items", items);
	astral_json_add_str(body, "next", next);
	return body;
}

void
moderation_fail(struct astral_request *req, astral_err err)
{
	astral_db_rollback(req->app->db);
	astral_respond_err(req, err);
}

void
moderation_respond_bad_cursor(struct astral_request *req)
{
	astral_respond_field_error(req, 400, "invalid_field", "That page cursor is not valid.", "cursor",
	                           "is not a cursor of this list");
}

astral_err
moderation_cursor_decode(const char *text, const char *tag, size_t nparts, struct astral_cursor *c)
{
	if (astral_cursor_decode(text, nparts, c) != ASTRAL_OK || strcmp(c->parts[0], tag) != 0)
		return ASTRAL_ERR_INVALID;
	return ASTRAL_OK;
}

astral_err
moderation_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
                 const char *subject_id, const char *outcome, const char *code, const char *reason)
{
	char detail[AUDIT_DETAIL_MAX * 4 + 1];
	char *cut = NULL;
	struct astral_audit_event ev = {
		.actor_id = req->who.user_id, .actor_role = req->who.role, .action = action,
		.object_type = object_type, .object_id = object_id, .subject_id = subject_id, .outcome = outcome,
		.request_id = req->request_id, .detail = NULL,
	};
	astral_err err;

	if (reason != NULL && reason[0] != '\0')
		snprintf(detail, sizeof(detail), "%s: %s", code, reason);
	else
		snprintf(detail, sizeof(detail), "%s", code);
	/* snprintf may have cut inside a character: keep whole characters, at most the column's limit. */
	cut = moderation_excerpt(detail, AUDIT_DETAIL_MAX);
	if (cut == NULL) {
		size_t n = strlen(detail);

		while (n > 0 && !astral_utf8_valid(detail, n))
			n--;
		detail[n] = '\0';
		cut = moderation_excerpt(detail, AUDIT_DETAIL_MAX);
		if (cut == NULL)
			return ASTRAL_ERR_NOMEM;
	}
	ev.detail = cut;
	err = astral_audit_append(req->app->db, &ev);
	if (err != ASTRAL_OK)
		astral_log(ASTRAL_LOG_ERROR, "audit append failed for %s: %s", action, astral_strerror(err));
	free(cut);
	return err;
}

astral_err
moderation_refuse_conflict(struct astral_request *req, const char *action, const char *object_type,
                           const char *object_id, const char *subject_id, const char *code, const char *message)
{
	astral_err err = moderation_audit(req, action, object_type, object_id, subject_id, "denied", code, NULL);

	if (err == ASTRAL_OK)
		astral_respond_refusal(req, 409, code, message, NULL, NULL);
	return err;
}

int
moderation_may_sanction(const struct astral_request *req, const char *target_id, const char *target_role)
{
	if (target_role == NULL || strcmp(target_id, req->who.user_id) == 0 || strcmp(target_role, "admin") == 0)
		return 0;
	if (strcmp(target_role, "moderator") == 0)
		return strcmp(req->who.role, "admin") == 0;
	return strcmp(target_role, "seeker") == 0 || strcmp(target_role, "helper") == 0;
}

struct json_object *
moderation_action_json(const PGresult *res, int row, int with_moderator)
{
	struct json_object *o = json_object_new_object();

	astral_json_add_str(o, "id", astral_db_value(res, row, MC_ID));
	astral_json_add_str(o, "action", astral_db_value(res, row, MC_ACTION));
	astral_json_add_str(o, "reason", astral_db_value(res, row, MC_REASON));
	astral_json_add_str(o, "post_id", astral_db_value(res, row, MC_POST_ID));
	astral_json_add_str(o, "video_id", astral_db_value(res, row, MC_VIDEO_ID));
	moderation_add_time(o, "expires_at", res, row, MC_EXPIRES_AT);
	moderation_add_time(o, "created_at", res, row, MC_CREATED_AT);
	if (with_moderator)
		json_object_object_add(o, "moderator", moderation_user_ref(res, row, MC_MOD_ID));
	return o;
}

void
moderation_respond_user_status(struct astral_request *req, const char *user_id)
{
	struct astral_params p;
	PGresult *res = NULL, *acts = NULL;
	struct json_object *body = NULL, *actions;
	int banned;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_int(&p, req->now);
	err = moderation_exec(req, MOD_USER_STATUS, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, user_id);
	astral_params_int(&p, MOD_ACTIONS_SHOWN);
	err = moderation_exec(req, MOD_USER_ACTIONS, &p, &acts);
	if (err != ASTRAL_OK)
		goto out;
	body = json_object_new_object();
	json_object_object_add(body, "user", moderation_user_ref(res, 0, UC_ID));
	astral_json_add_str(body, "helper_tier", astral_db_value(res, 0, UC_TIER));
	moderation_add_time(body, "created_at", res, 0, UC_CREATED_AT);
	astral_json_add_int(body, "warnings", astral_db_int(res, 0, UC_WARNINGS));
	banned = astral_db_bool(res, 0, UC_BANNED);
	astral_json_add_bool(body, "banned", banned);
	if (banned) {
		struct json_object *ban = json_object_new_object();

		astral_json_add_str(ban, "reason", astral_db_value(res, 0, UC_BAN_REASON));
		json_object_object_add(ban, "by", moderation_user_ref(res, 0, UC_BAN_BY_ID));
		moderation_add_time(ban, "at", res, 0, UC_BAN_AT);
		moderation_add_time(ban, "until", res, 0, UC_BAN_UNTIL);
		json_object_object_add(body, "ban", ban);
	} else {
		json_object_object_add(body, "ban", NULL);
	}
	actions = json_object_new_array();
	for (int i = 0; i < PQntuples(acts); i++)
		json_object_array_add(actions, moderation_action_json(acts, i, 1));
	json_object_object_add(body, "actions", actions);
	astral_respond(req, 200, body);
	body = NULL;
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	json_object_put(body);
	PQclear(res);
	PQclear(acts);
}

/* The flagged words of a source message: its body opened with its session's key, cut to
   MOD_EXCERPT_MAX characters. NULL (no excerpt) when the row has no message, or one that does not
   open (a key the keyring no longer holds, a tampered row): logged, and the queue still shows the
   alert. Only running out of memory fails. */
static astral_err
message_excerpt(struct astral_request *req, const PGresult *res, int row, char **out)
{
	unsigned char dek[ASTRAL_DEK_LEN], *sealed = NULL;
	const char *id = astral_db_value(res, row, AC_MESSAGE_ID);
	const char *session = astral_db_value(res, row, AC_MESSAGE_SESSION);
	size_t slen = 0;
	char *text = NULL;
	astral_err err;

	*out = NULL;
	if (id == NULL || session == NULL || astral_db_value(res, row, AC_MESSAGE_KEY) == NULL)
		return ASTRAL_OK;
	err = astral_help_session_key_open(req, session, res, row, AC_MESSAGE_KEY, dek);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_db_bytes(res, row, AC_MESSAGE_BODY, &sealed, &slen);
	if (err == ASTRAL_OK)
		err = astral_field_open(dek, "messages", "body", id, sealed, slen, &text);
	OPENSSL_cleanse(dek, sizeof(dek));
	if (err != ASTRAL_OK)
		goto out;
	*out = moderation_excerpt(text, MOD_EXCERPT_MAX);       /* the text was checked UTF-8 when sealed */
	if (*out == NULL)
		err = ASTRAL_ERR_NOMEM;
out:
	if (err != ASTRAL_OK && err != ASTRAL_ERR_NOMEM) {
		astral_log(ASTRAL_LOG_ERROR, "the source message %s of an alert does not open: %s", id,
		           astral_strerror(err));
		err = ASTRAL_OK;
	}
	if (text != NULL) {
		OPENSSL_cleanse(text, strlen(text));
		free(text);
	}
	free(sealed);
	return err;
}

struct json_object *
moderation_alert_json(struct astral_request *req, const PGresult *res, int row, int with_excerpt, int *had_excerpt,
                      astral_err *err)
{
	struct json_object *o, *categories, *rules;
	char *excerpt = NULL;

	*had_excerpt = 0;
	*err = with_excerpt ? message_excerpt(req, res, row, &excerpt) : ASTRAL_OK;
	if (*err != ASTRAL_OK)
		return NULL;
	categories = moderation_json_column(res, row, AC_CATEGORIES);
	rules = moderation_json_column(res, row, AC_RULES);
	if (categories == NULL || rules == NULL) {
		json_object_put(categories);
		json_object_put(rules);
		free(excerpt);
		*err = ASTRAL_ERR_INTERNAL;
		return NULL;
	}
	o = json_object_new_object();
	astral_json_add_str(o, "id", astral_db_value(res, row, AC_ID));
	json_object_object_add(o, "user", moderation_user_ref(res, row, AC_USER_ID));
	astral_json_add_str(o, "source", astral_db_value(res, row, AC_SOURCE));
	astral_json_add_str(o, "source_id", astral_db_value(res, row, AC_SOURCE_ID));
	astral_json_add_str(o, "session_id", astral_db_value(res, row, AC_SESSION_ID));
	astral_json_add_str(o, "severity", astral_db_value(res, row, AC_SEVERITY));
	json_object_object_add(o, "categories", categories);
	json_object_object_add(o, "rules", rules);
	astral_json_add_str(o, "status", astral_db_value(res, row, AC_STATUS));
	moderation_add_time(o, "created_at", res, row, AC_CREATED_AT);
	json_object_object_add(o, "acknowledged_by", moderation_user_ref(res, row, AC_ACK_ID));
	moderation_add_time(o, "acknowledged_at", res, row, AC_ACK_AT);
	json_object_object_add(o, "resolved_by", moderation_user_ref(res, row, AC_RES_ID));
	moderation_add_time(o, "resolved_at", res, row, AC_RES_AT);
	astral_json_add_str(o, "resolution_note", astral_db_value(res, row, AC_RESOLUTION_NOTE));
	/* A post is cut to 280 characters by the statement; a message here. Nothing for the other
	   sources: the alert row says what they need to know. The queue shows none (least sight). */
	if (excerpt != NULL) {
		astral_json_add_str(o, "excerpt", excerpt);
		*had_excerpt = 1;
	} else if (with_excerpt && astral_db_value(res, row, AC_POST_EXCERPT) != NULL) {
		astral_json_add_str(o, "excerpt", astral_db_value(res, row, AC_POST_EXCERPT));
		*had_excerpt = 1;
	} else {
		json_object_object_add(o, "excerpt", NULL);
	}
	astral_json_add_bool(o, "has_excerpt", astral_db_bool(res, row, AC_HAS_EXCERPT));
	if (excerpt != NULL) {
		OPENSSL_cleanse(excerpt, strlen(excerpt));
		free(excerpt);
	}
	return o;
}

struct json_object *
moderation_application_json(const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object(), *helper = json_object_new_object();
	struct json_object *stats = json_object_new_object(), *expertise;

	astral_json_add_str(o, "id", astral_db_value(res, row, PC_ID));
	astral_json_add_str(helper, "id", astral_db_value(res, row, PC_HELPER_ID));
	astral_json_add_str(helper, "display_name", astral_db_value(res, row, PC_HELPER_NAME));
	astral_json_add_str(helper, "bio", astral_db_value(res, row, PC_BIO));
	expertise = moderation_json_column(res, row, PC_EXPERTISE);
	json_object_object_add(helper, "expertise", expertise != NULL ? expertise : json_object_new_array());
	moderation_add_time(helper, "joined_at", res, row, PC_JOINED_AT);
	json_object_object_add(o, "helper", helper);
	astral_json_add_str(o, "status", astral_db_value(res, row, PC_STATUS));
	astral_json_add_str(o, "motivation", astral_db_value(res, row, PC_MOTIVATION));
	astral_json_add_int(o, "quiz_score", astral_db_int(res, row, PC_QUIZ_SCORE));
	moderation_add_time(o, "submitted_at", res, row, PC_SUBMITTED_AT);
	astral_json_add_int(stats, "sessions", astral_db_int(res, row, PC_SESSIONS));
	astral_json_add_int(stats, "kudos", astral_db_int(res, row, PC_KUDOS));
	json_object_object_add(stats, "reputation", astral_json_numeric(astral_db_value(res, row, PC_REPUTATION)));
	astral_json_add_int(stats, "feedback_count", astral_db_int(res, row, PC_FEEDBACK));
	json_object_object_add(o, "stats", stats);
	moderation_add_time(o, "decided_at", res, row, PC_DECIDED_AT);
	json_object_object_add(o, "decided_by", moderation_user_ref(res, row, PC_DECIDER_ID));
	astral_json_add_str(o, "notes", astral_db_value(res, row, PC_NOTES));
	return o;
}
