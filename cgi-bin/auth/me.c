/* What a person chooses about their account: preferences, consents, blocks; and who looked. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "direct_request.h"
#include "json.h"

static const char *const themes[] = { "system", "light", "dark", NULL };
static const char *const languages[] = { "en", "es", NULL };
static const char *const categories[] = {
	"Anxiety", "Depression", "Grief", "Relationships", "Stress", "Loneliness", "Other", NULL,
};
static const char *const documents[] = { "terms_of_service", "privacy_policy", "helper_agreement", NULL };
#define CURRENT_DOCUMENT_VERSION "1.0"

/* ---- preferences ---- */

struct preferences_in { const char *theme; const char *language; struct astral_list content_filters; int research_consent; };
static const struct astral_field preferences_fields[] = {
	{ "theme", ASTRAL_F_ENUM, 0, 0, 0, themes, offsetof(struct preferences_in, theme), 0 },
	{ "language", ASTRAL_F_ENUM, 0, 0, 0, languages, offsetof(struct preferences_in, language), 0 },
	{ "content_filters", ASTRAL_F_ENUM_LIST, 0, 0, 7, categories, offsetof(struct preferences_in, content_filters), 0 },
	{ "research_consent", ASTRAL_F_BOOL, 0, 0, 1, NULL, offsetof(struct preferences_in, research_consent), -1 },
};
const struct astral_input_spec me_preferences_input = { preferences_fields, 4, sizeof(struct preferences_in) };

static struct json_object *
preferences_json(const PGresult *res)
{
	struct json_object *o = json_object_new_object();
	struct json_object *filters = NULL;
	const char *why;

	if (res == NULL || PQntuples(res) == 0) {
		astral_json_add_str(o, "theme", "system");
		astral_json_add_str(o, "language", "en");
		json_object_object_add(o, "content_filters", json_object_new_array());
		astral_json_add_bool(o, "research_consent", 0);
		return o;
	}
	astral_json_add_str(o, "theme", astral_db_value(res, 0, 0));
	astral_json_add_str(o, "language", astral_db_value(res, 0, 1));
	{
		const char *text = astral_db_value(res, 0, 2);

		if (text == NULL || astral_json_parse(text, strlen(text), &filters, &why) != ASTRAL_OK)
			filters = json_object_new_array();
	}
	json_object_object_add(o, "content_filters", filters);
	astral_json_add_bool(o, "research_consent", astral_db_bool(res, 0, 3));
	return o;
}

void
me_preferences_get(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = auth_exec(req, AUTH_PREFS_GET, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		astral_respond(req, 200, preferences_json(res));
	PQclear(res);
}

void
me_preferences_put(struct astral_request *req, const void *input)
{
	const struct preferences_in *in = input;
	struct json_object *filters = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (in->content_filters.present) {
		filters = json_object_new_array();
		for (size_t i = 0; i < in->content_filters.n; i++)
			json_object_array_add(filters, json_object_new_string(in->content_filters.items[i]));
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->theme);
	astral_params_text(&p, in->language);
	astral_params_text(&p, filters ? json_object_to_json_string_ext(filters, JSON_C_TO_STRING_PLAIN) : NULL);
	if (in->research_consent < 0)
		astral_params_null(&p);
	else
		astral_params_bool(&p, in->research_consent);
	astral_params_int(&p, req->now);
	err = auth_exec(req, AUTH_PREFS_UPSERT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "preferences_update", "preferences", req->who.user_id,
	           "success", NULL);
	astral_respond(req, 200, preferences_json(res));
out:
	json_object_put(filters);
	PQclear(res);
}

/* ---- consents ---- */

struct consent_in { const char *document; const char *version; };
static const struct astral_field consent_fields[] = {
	{ "document", ASTRAL_F_ENUM, 1, 0, 0, documents, offsetof(struct consent_in, document), 0 },
	{ "version", ASTRAL_F_TEXT, 1, 1, 16, NULL, offsetof(struct consent_in, version), 0 },
};
const struct astral_input_spec me_consents_input = { consent_fields, 2, sizeof(struct consent_in) };

static int
document_applies(const char *role, const char *document)
{
	return strcmp(document, "helper_agreement") != 0 || strcmp(role, "seeker") != 0;
}

void
me_consents_get(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body, *items, *missing;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = auth_exec(req, AUTH_CONSENTS_LIST, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	items = json_object_new_array();
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *c = json_object_new_object();

		astral_json_add_str(c, "document", astral_db_value(res, i, 0));
		astral_json_add_str(c, "version", astral_db_value(res, i, 1));
		astral_json_add_time(c, "accepted_at", astral_db_int(res, i, 2));
		json_object_array_add(items, c);
	}
	missing = json_object_new_array();
	for (size_t d = 0; documents[d] != NULL; d++) {
		int have = 0;

		if (!document_applies(req->who.role, documents[d]))
			continue;
		for (int i = 0; i < PQntuples(res); i++)
			if (strcmp(astral_db_value(res, i, 0), documents[d]) == 0 &&
			    strcmp(astral_db_value(res, i, 1), CURRENT_DOCUMENT_VERSION) == 0)
				have = 1;
		if (!have) {
			struct json_object *m = json_object_new_object();

			astral_json_add_str(m, "document", documents[d]);
			astral_json_add_str(m, "version", CURRENT_DOCUMENT_VERSION);
			json_object_array_add(missing, m);
		}
	}
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	json_object_object_add(body, "missing", missing);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

void
me_consents_post(struct astral_request *req, const void *input)
{
	const struct consent_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body;
	astral_err err;

	if (strcmp(in->version, CURRENT_DOCUMENT_VERSION) != 0) {
		astral_respond_field_error(req, 400, "invalid_field", "That is not the current version.", "version",
		                           "is not the current version (" CURRENT_DOCUMENT_VERSION ")");
		return;
	}
	if (!document_applies(req->who.role, in->document)) {
		astral_respond_field_error(req, 400, "invalid_field", "That document is for helpers.", "document",
		                           "does not apply to your account");
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->document);
	astral_params_text(&p, in->version);
	astral_params_int(&p, req->now);
	err = auth_exec(req, AUTH_CONSENT_INSERT, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "consent_accept", "consent", in->document, "success",
	           in->document);
	body = json_object_new_object();
	astral_json_add_str(body, "document", in->document);
	astral_json_add_str(body, "version", in->version);
	astral_json_add_time(body, "accepted_at", astral_db_int(res, 0, 0));
	astral_respond(req, 201, body);
out:
	PQclear(res);
}

/* ---- blocks ---- */

struct blocks_list_in { long long limit; const char *after; };
static const struct astral_field blocks_list_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct blocks_list_in, limit), 100 },
	{ "after", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct blocks_list_in, after), 0 },
};
const struct astral_input_spec me_blocks_list_input = { blocks_list_fields, 2, sizeof(struct blocks_list_in) };

struct block_in { const char *user_id; };
static const struct astral_field block_fields[] = {
	{ "user_id", ASTRAL_F_UUID, 1, 0, 0, NULL, offsetof(struct block_in, user_id), 0 },
};
const struct astral_input_spec me_blocks_input = { block_fields, 1, sizeof(struct block_in) };

void
me_blocks_get(struct astral_request *req, const void *input)
{
	const struct blocks_list_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body, *items;
	astral_err err;
	int n;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->after);
	astral_params_int(&p, in->limit + 1);
	err = auth_exec(req, AUTH_BLOCKS_LIST, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++) {
		struct json_object *b = json_object_new_object();

		astral_json_add_str(b, "user_id", astral_db_value(res, i, 0));
		astral_json_add_str(b, "display_name", astral_db_value(res, i, 1));
		astral_json_add_time(b, "created_at", astral_db_int(res, i, 2));
		json_object_array_add(items, b);
	}
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	astral_json_add_str(body, "next", n > in->limit ? astral_db_value(res, (int)in->limit - 1, 0) : NULL);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}

void
me_blocks_post(struct astral_request *req, const void *input)
{
	const struct block_in *in = input;
	struct astral_params p;
	PGresult *name = NULL, *res = NULL;
	struct json_object *body;
	astral_err err;

	if (strcasecmp(in->user_id, req->who.user_id) == 0) {
		astral_respond_field_error(req, 400, "invalid_field", "You cannot block yourself.", "user_id",
		                           "cannot be yourself");
		return;
	}
	astral_params_init(&p);
	astral_params_text(&p, in->user_id);
	err = auth_exec(req, AUTH_USER_PUBLIC_NAME, &p, &name);
	if (err == ASTRAL_OK && astral_db_value(name, 0, 0) == NULL)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err == ASTRAL_OK) {
		astral_params_init(&p);
		astral_params_text(&p, req->who.user_id);
		astral_params_text(&p, in->user_id);
		astral_params_int(&p, req->now);
		err = auth_exec(req, AUTH_BLOCK_INSERT, &p, &res);
	}
	/* A direct request still waiting between the two, either way, goes back to its author
	   declined (lib/direct_request.c): the block keeps its helper from ever answering it, and
	   the author may then publish or resolve it. Only the author hears of it. */
	if (err == ASTRAL_OK)
		err = astral_direct_requests_decline_between(req, in->user_id, "block");
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "block_add", "block", in->user_id, "success", NULL);
	body = json_object_new_object();
	astral_json_add_str(body, "user_id", in->user_id);
	astral_json_add_str(body, "display_name", astral_db_value(name, 0, 0));
	astral_json_add_time(body, "created_at", astral_db_int(res, 0, 0));
	astral_respond(req, 201, body);
out:
	PQclear(name);
	PQclear(res);
}

void
me_blocks_delete(struct astral_request *req, const void *input)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	(void)input;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, req->path_params[0]);
	err = auth_exec(req, AUTH_BLOCK_DELETE, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	auth_audit(req, req->who.user_id, req->who.role, "block_remove", "block", req->path_params[0], "success", NULL);
	astral_respond(req, 204, NULL);
out:
	PQclear(res);
}

/* ---- who accessed my data ---- */

struct access_log_in { long long limit; long long before; };
static const struct astral_field access_log_fields[] = {
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct access_log_in, limit), 50 },
	{ "before", ASTRAL_F_INT, 0, 1, 9007199254740991LL, NULL, offsetof(struct access_log_in, before), 0 },
};
const struct astral_input_spec me_access_log_input = { access_log_fields, 2, sizeof(struct access_log_in) };

void
me_access_log(struct astral_request *req, const void *input)
{
	const struct access_log_in *in = input;
	struct astral_params p;
	PGresult *res = NULL;
	struct json_object *body, *items;
	astral_err err;
	int n;

	auth_audit(req, req->who.user_id, req->who.role, "access_log_read", "audit_log", NULL, "success", NULL);
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, in->before);
	astral_params_int(&p, in->limit + 1);
	err = auth_exec(req, AUTH_ACCESS_LOG, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	n = PQntuples(res);
	items = json_object_new_array();
	for (int i = 0; i < n && i < in->limit; i++) {
		struct json_object *e = json_object_new_object();
		const char *actor = astral_db_value(res, i, 2);
		const char *actor_role = astral_db_value(res, i, 3);
		const char *who = "system";

		if (actor != NULL && strcasecmp(actor, req->who.user_id) == 0)
			who = "self";
		else if (actor_role != NULL && (strcmp(actor_role, "moderator") == 0 || strcmp(actor_role, "admin") == 0))
			who = "staff";
		else if (actor != NULL)
			who = "other";
		astral_json_add_int(e, "id", astral_db_int(res, i, 0));
		astral_json_add_time(e, "occurred_at", astral_db_int(res, i, 1));
		astral_json_add_str(e, "actor", who);
		astral_json_add_str(e, "actor_role", actor_role);
		astral_json_add_str(e, "action", astral_db_value(res, i, 4));
		astral_json_add_str(e, "object_type", astral_db_value(res, i, 5));
		astral_json_add_str(e, "outcome", astral_db_value(res, i, 6));
		json_object_array_add(items, e);
	}
	body = json_object_new_object();
	json_object_object_add(body, "items", items);
	astral_json_add_str(body, "next", n > in->limit ? astral_db_value(res, (int)in->limit - 1, 0) : NULL);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}
