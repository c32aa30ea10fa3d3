/* Every SQL statement of the care half of cgi-bin/wellness (journal, assessments, safety plan),
   prepared once per connection. Names start with care_ so they never meet the mood half's. */
#include "care.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"
/* A safety plan's version: its updated_at in microseconds (exact: extract gives numeric), which
   every write moves on. Below 2^53, so a JavaScript number holds it. */
#define PLAN_VERSION(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

/* Keyset pages, newest first: rows of user $1 created before ($2 seconds, $3 id), at most $4.
   The first page passes 'Infinity' and the largest uuid; plain parameters keep the range an
   index condition of (user_id, created_at DESC, id DESC) in a generic plan. */
#define PAGE_AFTER \
	" WHERE user_id = $1::uuid AND created_at <= to_timestamp($2::double precision)" \
	" AND (created_at < to_timestamp($2::double precision) OR id < $3::uuid)" \
	" ORDER BY created_at DESC, id DESC LIMIT $4::integer"

#define JOURNAL_COLUMNS "id, body, " EPOCH("created_at") ", " EPOCH("updated_at")

/* In enum care_assessment_col order. */
#define ASSESSMENT_COLUMNS \
	"id, kind, score, answers, item9_positive, contact_requested, " EPOCH("created_at")

const struct astral_stmt care_stmts[CARE_STMT_COUNT] = {
	[CARE_JOURNAL_LIST] = { "care_journal_list",
		"SELECT " JOURNAL_COLUMNS " FROM journal_entries" PAGE_AFTER, 4 },
	[CARE_JOURNAL_INSERT] = { "care_journal_insert",
		"INSERT INTO journal_entries (id, user_id, body, crisis_severity, created_at, updated_at)"
		" VALUES ($1::uuid, $2::uuid, $3::bytea, $4::text, to_timestamp($5::bigint), to_timestamp($5::bigint))"
		" RETURNING id, NULL::bytea, " EPOCH("created_at") ", " EPOCH("updated_at"), 5 },
	[CARE_JOURNAL_UPDATE] = { "care_journal_update",
		"UPDATE journal_entries SET body = $3::bytea, crisis_severity = $4::text,"
		" updated_at = to_timestamp($5::bigint)"
		" WHERE id = $1::uuid AND user_id = $2::uuid"
		" RETURNING id, NULL::bytea, " EPOCH("created_at") ", " EPOCH("updated_at"), 5 },
	[CARE_JOURNAL_DELETE] = { "care_journal_delete",
		"DELETE FROM journal_entries WHERE id = $1::uuid AND user_id = $2::uuid RETURNING 1", 2 },

	[CARE_ASSESSMENT_LIST] = { "care_assessment_list",
		"SELECT " ASSESSMENT_COLUMNS " FROM assessments" PAGE_AFTER, 4 },
	/* The FHIR export: every assessment of the user, oldest first. */
	[CARE_ASSESSMENT_ALL] = { "care_assessment_all",
		"SELECT " ASSESSMENT_COLUMNS " FROM assessments WHERE user_id = $1::uuid ORDER BY created_at, id", 1 },
	[CARE_ASSESSMENT_GET] = { "care_assessment_get",
		"SELECT " ASSESSMENT_COLUMNS " FROM assessments WHERE id = $1::uuid AND user_id = $2::uuid", 2 },
	[CARE_ASSESSMENT_INSERT] = { "care_assessment_insert",
		"INSERT INTO assessments (id, user_id, kind, score, band, answers, item9_positive, contact_requested,"
		" contact_requested_at, created_at)"
		" VALUES ($1::uuid, $2::uuid, $3::text, $4::integer, $5::text, $6::bytea, $7::boolean, $8::boolean,"
		" CASE WHEN $8::boolean IS NULL THEN NULL ELSE to_timestamp($9::bigint) END, to_timestamp($9::bigint))"
		" RETURNING " ASSESSMENT_COLUMNS, 9 },
	/* The answer to "may a trained volunteer reach out?", given after the result. Only a PHQ-9
	   with item 9 above 0 asks it, and a yes is never taken back: a row comes back only when the
	   answer changed something, so the alert of a yes is raised once whoever races. */
	[CARE_ASSESSMENT_CONTACT] = { "care_assessment_contact",
		"UPDATE assessments SET contact_requested = $3::boolean, contact_requested_at = to_timestamp($4::bigint)"
		" WHERE id = $1::uuid AND user_id = $2::uuid AND item9_positive"
		" AND contact_requested IS DISTINCT FROM true AND contact_requested IS DISTINCT FROM $3::boolean"
		" RETURNING " ASSESSMENT_COLUMNS, 4 },

	[CARE_SAFETY_PLAN_GET] = { "care_safety_plan_get",
		"SELECT plan, " EPOCH("updated_at") ", " PLAN_VERSION("updated_at")
		" FROM safety_plans WHERE user_id = $1::uuid", 1 },
	/* One plan per user: the first PUT creates it (xmax = 0 says so, for the audit row). A later
	   PUT replaces it only when $4 names the version it edits; a stale or missing version changes
	   nothing and gives no row (409). ON CONFLICT locks the row and tests the WHERE on its latest
	   version, so of two saves made from one version only the first wins. Each write moves
	   updated_at on by at least a microsecond, so two saves in one second (or after the clock went
	   back) still have different versions. */
	[CARE_SAFETY_PLAN_PUT] = { "care_safety_plan_put",
		"INSERT INTO safety_plans AS s (user_id, plan, updated_at)"
		" VALUES ($1::uuid, $2::bytea, to_timestamp($3::bigint))"
		" ON CONFLICT (user_id) DO UPDATE SET plan = EXCLUDED.plan,"
		"  updated_at = greatest(EXCLUDED.updated_at, s.updated_at + interval '1 microsecond')"
		" WHERE " PLAN_VERSION("s.updated_at") " = $4::bigint"
		" RETURNING " EPOCH("s.updated_at") ", (s.xmax = 0), " PLAN_VERSION("s.updated_at"), 4 },
};

astral_err
care_exec(struct astral_request *req, enum care_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &care_stmts[s], p, res);
}

astral_err
care_exec_row(struct astral_request *req, enum care_stmt s, const struct astral_params *p, PGresult **res,
              const char *not_found)
{
	astral_err err = care_exec(req, s, p, res);

	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		return err;
	}
	if (PQntuples(*res) == 1)
		return ASTRAL_OK;
	if (not_found != NULL) {
		care_respond_not_found(req, not_found);
		return ASTRAL_ERR_NOT_FOUND;
	}
	astral_respond_err(req, ASTRAL_ERR_INTERNAL);
	return ASTRAL_ERR_INTERNAL;
}
