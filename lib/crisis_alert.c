#include <stdio.h>
#include <string.h>

#include "crisis_alert.h"
#include "json.h"
#include "random.h"
#include "realtime.h"
#include "resource_catalog.h"

enum crisis_alert_stmt {
	CRISIS_ALERT_INSERT,
	CRISIS_ALERT_STAFF,
	CRISIS_ALERT_STMT_COUNT
};

const struct astral_stmt astral_crisis_alert_stmts[] = {
	[CRISIS_ALERT_INSERT] = {
		"crisis_alert_insert",
		"INSERT INTO crisis_alerts (id, user_id, source, source_id, session_id, severity, categories, rules,"
		" raised_by, created_at)"
		" VALUES ($1::uuid, $2::uuid, $3, $4::uuid, $5::uuid, $6, $7::text[], $8::text[], $9::uuid,"
		" to_timestamp($10::bigint))",
		10,
	},
	/* Who hears of a new alert: every moderator and admin (migration 0016, partial index users_staff). */
	[CRISIS_ALERT_STAFF] = {
		"crisis_alert_staff",
		"SELECT s.id FROM astral_staff_ids() AS s(id)",
		0,
	},
};
const size_t astral_crisis_alert_stmt_count = CRISIS_ALERT_STMT_COUNT;

static const char *const category_names[] = { "suicide", "self_harm", "danger", "distress" };

/* Category bits → names ("suicide", "self_harm", "danger", "distress"), as a JSON array. */
static struct json_object *
categories_json(unsigned categories)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < sizeof(category_names) / sizeof(category_names[0]); i++)
		if (categories & (1u << i))
			json_object_array_add(a, json_object_new_string(category_names[i]));
	return a;
}

/* A PostgreSQL text[] literal of simple words: {"a","b"}. Words are rule ids and category
   names (letters, digits, '.', '_'), so no escaping is needed; anything else is skipped. */
static void
array_literal(char *buf, size_t len, const char *const *words, size_t n)
{
	size_t off = 0;

	buf[off++] = '{';
	for (size_t i = 0; i < n; i++) {
		size_t wlen = strlen(words[i]);

		if (strspn(words[i], "abcdefghijklmnopqrstuvwxyz0123456789._") != wlen || off + wlen + 4 >= len)
			continue;
		if (off > 1)
			buf[off++] = ',';
		buf[off++] = '"';
		memcpy(buf + off, words[i], wlen);
		off += wlen;
		buf[off++] = '"';
	}
	buf[off++] = '}';
	buf[off] = '\0';
}

/* alert.new to every moderator and admin once the request has committed (never the words that
   fired it: the id, the severity, the source and the time). The look-up carries the queued
   INSERT with it in the same round trip. */
static astral_err
tell_staff(struct astral_request *req, const char *id, const struct astral_crisis_alert *alert)
{
	PGresult *res = NULL;
	astral_err err;

	err = astral_db_exec(req->app->db, &astral_crisis_alert_stmts[CRISIS_ALERT_STAFF], NULL, &res);
	if (err != ASTRAL_OK)
		goto out;
	for (int i = 0; i < PQntuples(res); i++) {
		struct json_object *ev = json_object_new_object(), *a = json_object_new_object();

		astral_json_add_str(ev, "type", "alert.new");
		astral_json_add_time(ev, "at", req->now);
		astral_json_add_str(a, "id", id);
		astral_json_add_str(a, "severity", astral_crisis_severity_name(alert->severity));
		astral_json_add_str(a, "source", alert->source);
		astral_json_add_time(a, "created_at", req->now);
		json_object_object_add(ev, "alert", a);
		astral_rt_after_commit(req, astral_db_value(res, i, 0), ev);
	}
out:
	PQclear(res);
	return err;
}

astral_err
astral_crisis_alert_raise(struct astral_request *req, const struct astral_crisis_alert *alert, char *id_out)
{
	const char *cats[4], *rules[ASTRAL_CRISIS_MAX_REASONS];
	char cat_lit[128], rule_lit[ASTRAL_CRISIS_MAX_REASONS * 72 + 8];
	char id[ASTRAL_UUID_STR_LEN + 1];
	size_t ncats = 0, nrules = 0;
	struct astral_params p;
	astral_err err;

	if (id_out != NULL)
		id_out[0] = '\0';
	if (alert == NULL || alert->user_id == NULL || alert->source == NULL || alert->severity == ASTRAL_CRISIS_NONE)
		return ASTRAL_ERR_INVALID;
	if (alert->result != NULL) {
		for (unsigned i = 0; i < 4; i++)
			if (alert->result->categories & (1u << i))
				cats[ncats++] = category_names[i];
		for (size_t i = 0; i < alert->result->nreasons; i++)
			rules[nrules++] = alert->result->reasons[i].rule;
	}
	array_literal(cat_lit, sizeof(cat_lit), cats, ncats);
	array_literal(rule_lit, sizeof(rule_lit), rules, nrules);
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		return err;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, alert->user_id);
	astral_params_text(&p, alert->source);
	astral_params_text(&p, alert->source_id);
	astral_params_text(&p, alert->session_id);
	astral_params_text(&p, astral_crisis_severity_name(alert->severity));
	astral_params_text(&p, cat_lit);
	astral_params_text(&p, rule_lit);
	astral_params_text(&p, req->who.authenticated ? req->who.user_id : NULL);
	astral_params_int(&p, req->now);
	err = astral_db_queue(req->app->db, &astral_crisis_alert_stmts[CRISIS_ALERT_INSERT], &p);
	if (err == ASTRAL_OK)
		err = tell_staff(req, id, alert);
	if (err == ASTRAL_OK && id_out != NULL)
		snprintf(id_out, ASTRAL_UUID_STR_LEN + 1, "%s", id);
	return err;
}

struct json_object *
astral_crisis_response_json(const struct astral_app *app, const struct astral_crisis_result *result)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "severity",
	                       json_object_new_string(astral_crisis_severity_name(result ? result->severity
	                                                                                 : ASTRAL_CRISIS_HIGH)));
	json_object_object_add(o, "categories", categories_json(result ? result->categories : 0));
	json_object_object_add(o, "resources", astral_crisis_lines_json(app));
	return o;
}

struct json_object *
astral_crisis_lines_json(const struct astral_app *app)
{
	return astral_resources_crisis_lines(app->resources, app->cfg.crisis_region);
}
