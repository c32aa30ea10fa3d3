/*
 * What a backup records about its database, and what a restore checks again: the rows of every
 * table, the applied migrations, the heads of the audit chains and the master key versions the
 * wrapped data keys use. Read as the owner role over libpq directly (like `astralctl migrate`):
 * the library's statements are not prepared, so that a database an older or newer astralctl
 * migrated can still be backed up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup_set.h"

#define BACKUP_KEY_ID_LABEL "astral keyring key id"

enum facts_stmt {
	FACTS_TABLE_COUNTS,
	FACTS_MIGRATIONS,
	FACTS_CHAINS,
	FACTS_KEY_VERSIONS,
	FACTS_VIDEO_IDS,
	FACTS_RLS_HIDDEN,
};

static const struct astral_stmt facts_stmts[] = {
	/* One static statement for every table: format('%I') quotes the name in the server. */
	[FACTS_TABLE_COUNTS] = {
		"backup_table_counts",
		"SELECT c.relname, (xpath('/row/n/text()', query_to_xml("
		"  format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text"
		" FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')"
		" ORDER BY c.relname COLLATE \"C\"",
		0,
	},
	[FACTS_MIGRATIONS] = {
		"backup_migrations",
		"SELECT version, name, checksum FROM public.schema_migrations ORDER BY version",
		0,
	},
	[FACTS_CHAINS] = {
		"backup_chains",
		"SELECT chain, last_id, encode(last_hash, 'hex') FROM public.audit_chains ORDER BY chain",
		0,
	},
	[FACTS_KEY_VERSIONS] = {
		"backup_key_versions",
		"SELECT v, sum(u), sum(h) FROM ("
		"  SELECT master_version AS v, 1 AS u, 0 AS h FROM public.user_keys"
		"  UNION ALL SELECT master_version, 0, 1 FROM public.help_session_keys) k"
		" GROUP BY v ORDER BY v",
		0,
	},
	[FACTS_VIDEO_IDS] = {
		"backup_video_ids",
		"SELECT id::text FROM public.wellness_videos ORDER BY id",
		0,
	},
	/* Tables where row-level security applies to this role (not a superuser or BYPASSRLS, and
	   FORCE or not the table's owner) without a policy that lets it read every row: a dump would
	   silently miss rows there. The migrations give astral_owner "USING (true)" on each. */
	[FACTS_RLS_HIDDEN] = {
		"backup_rls_hidden",
		"SELECT c.relname FROM pg_class c"
		" WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND c.relrowsecurity"
		" AND NOT (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user)"
		" AND (c.relforcerowsecurity OR NOT pg_has_role(current_user, c.relowner, 'USAGE'))"
		" AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polpermissive"
		"  AND p.polcmd IN ('*', 'r') AND pg_get_expr(p.polqual, p.polrelid) = 'true'"
		"  AND (0::oid = ANY (p.polroles) OR EXISTS (SELECT 1 FROM unnest(p.polroles) AS r(id)"
		"   WHERE r.id <> 0 AND pg_has_role(current_user, r.id, 'USAGE'))))"
		" ORDER BY c.relname COLLATE \"C\"",
		0,
	},
};

int
backup_sql(PGconn *conn, const char *sql, const char *what, PGresult **out)
{
	PGresult *res = PQexecParams(conn, sql, 0, NULL, NULL, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (out != NULL)
		*out = NULL;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		astralctl_error("%s: %s", what, res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
		PQclear(res);
		return -1;
	}
	if (out != NULL)
		*out = res;
	else
		PQclear(res);
	return 0;
}

/* Runs one statement of the table; the result or NULL (message printed). */
static PGresult *
facts_run(PGconn *conn, enum facts_stmt which, const char *what)
{
	PGresult *res = NULL;

	if (backup_sql(conn, facts_stmts[which].sql, what, &res) != 0)
		return NULL;
	return res;
}

/* A decimal column as a JSON integer (NULL when not a number). */
static json_object *
facts_int(PGresult *res, int row, int col)
{
	const char *text = PQgetvalue(res, row, col);
	char *end;
	long long v = strtoll(text, &end, 10);

	if (PQgetisnull(res, row, col) || end == text || *end != '\0')
		return NULL;
	return json_object_new_int64(v);
}

/* Adds key → value to obj; value NULL (a failed conversion or allocation) is a failure. */
static int
facts_add(json_object *obj, const char *key, json_object *value)
{
	if (value == NULL || json_object_object_add(obj, key, value) != 0) {
		json_object_put(value);
		return -1;
	}
	return 0;
}

/* Builds a JSON array of objects, one per row, with the columns named by keys (NULL-terminated);
   the columns flagged in numeric are integers, the others strings. */
static int
facts_rows(PGconn *conn, enum facts_stmt which, const char *what, const char *const *keys, const int *numeric,
           json_object **out)
{
	PGresult *res = facts_run(conn, which, what);
	json_object *arr = NULL;
	int rc = ASTRALCTL_DATABASE;

	*out = NULL;
	if (res == NULL)
		goto out;
	arr = json_object_new_array();
	if (arr == NULL)
		goto bad;
	for (int r = 0; r < PQntuples(res); r++) {
		json_object *row = json_object_new_object();

		if (row == NULL || json_object_array_add(arr, row) != 0) {
			json_object_put(row);
			goto bad;
		}
		for (int c = 0; keys[c] != NULL; c++) {
			json_object *v = numeric[c] ? facts_int(res, r, c) : json_object_new_string(PQgetvalue(res, r, c));

			if (facts_add(row, keys[c], v) != 0)
				goto bad;
		}
	}
	*out = arr;
	arr = NULL;
	rc = ASTRALCTL_OK;
	goto out;
bad:
	astralctl_error("%s: unexpected value or out of memory", what);
out:
	json_object_put(arr);
	PQclear(res);
	return rc;
}

int
backup_facts_tables(PGconn *conn, json_object **out)
{
	static const char what[] = "counting the rows of every table";
	PGresult *res = facts_run(conn, FACTS_TABLE_COUNTS, what);
	json_object *obj = NULL;
	int rc = ASTRALCTL_DATABASE;

	*out = NULL;
	if (res == NULL)
		goto out;
	obj = json_object_new_object();
	if (obj == NULL)
		goto bad;
	for (int r = 0; r < PQntuples(res); r++) {
		if (facts_add(obj, PQgetvalue(res, r, 0), facts_int(res, r, 1)) != 0)
			goto bad;
	}
	*out = obj;
	obj = NULL;
	rc = ASTRALCTL_OK;
	goto out;
bad:
	astralctl_error("%s: unexpected value or out of memory", what);
out:
	json_object_put(obj);
	PQclear(res);
	return rc;
}

int
backup_facts_migrations(PGconn *conn, json_object **out)
{
	static const char *const keys[] = { "version", "name", "checksum", NULL };
	static const int numeric[] = { 1, 0, 0 };

	return facts_rows(conn, FACTS_MIGRATIONS, "reading schema_migrations (has `astralctl migrate` run?)", keys,
	                  numeric, out);
}

int
backup_facts_chains(PGconn *conn, json_object **out)
{
	static const char *const keys[] = { "chain", "last_id", "last_hash", NULL };
	static const int numeric[] = { 1, 1, 0 };

	return facts_rows(conn, FACTS_CHAINS, "reading the audit chain heads (audit_chains)", keys, numeric, out);
}

int
backup_facts_key_versions(PGconn *conn, json_object **out)
{
	static const char *const keys[] = { "version", "user_keys", "help_session_keys", NULL };
	static const int numeric[] = { 1, 1, 1 };

	return facts_rows(conn, FACTS_KEY_VERSIONS, "reading the key versions of user_keys and help_session_keys",
	                  keys, numeric, out);
}

int
backup_facts_video_ids(PGconn *conn, json_object **out)
{
	PGresult *res = facts_run(conn, FACTS_VIDEO_IDS, "reading the ids of wellness_videos");
	json_object *arr = NULL;
	int rc = ASTRALCTL_DATABASE;

	*out = NULL;
	if (res == NULL)
		goto out;
	arr = json_object_new_array();
	if (arr == NULL)
		goto out;
	for (int r = 0; r < PQntuples(res); r++) {
		json_object *id = json_object_new_string(PQgetvalue(res, r, 0));

		if (id == NULL || json_object_array_add(arr, id) != 0) {
			json_object_put(id);
			goto out;
		}
	}
	*out = arr;
	arr = NULL;
	rc = ASTRALCTL_OK;
out:
	if (rc != ASTRALCTL_OK && res != NULL)
		astralctl_error("out of memory");
	json_object_put(arr);
	PQclear(res);
	return rc;
}

int
backup_facts_check_visibility(PGconn *conn)
{
	PGresult *res = facts_run(conn, FACTS_RLS_HIDDEN, "checking that the owner role reads every row");
	int rc = ASTRALCTL_DATABASE;

	if (res == NULL)
		goto out;
	if (PQntuples(res) > 0) {
		char others[64] = "";

		if (PQntuples(res) > 1)
			snprintf(others, sizeof(others), " and %d other tables", PQntuples(res) - 1);
		astralctl_error("row-level security may hide rows of table %s%s from the role of "
		                "database.owner_conninfo (no policy there lets it read every row): the dump would be "
		                "incomplete. Back up as astral_owner, or as a role with BYPASSRLS",
		                PQgetvalue(res, 0, 0), others);
		goto out;
	}
	rc = ASTRALCTL_OK;
out:
	PQclear(res);
	return rc;
}

int
backup_key_id(struct astral_keyring *kr, uint32_t version, char id[BACKUP_KEY_ID_HEX + 1])
{
	unsigned char mac[ASTRAL_SHA256_LEN];
	const unsigned char *key = astral_keyring_key(kr, version);

	id[0] = '\0';
	if (key == NULL)
		return -1;
	/* A MAC of a fixed label under the key names it and tells nothing about it. */
	if (astral_hmac_sha256(key, ASTRAL_KEYRING_KEY_LEN, BACKUP_KEY_ID_LABEL, strlen(BACKUP_KEY_ID_LABEL), mac) !=
	    ASTRAL_OK)
		return -1;
	backup_hex(mac, BACKUP_KEY_ID_HEX / 2, id);
	return 0;
}
