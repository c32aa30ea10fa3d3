/* Every SQL statement of cgi-bin/helpers, prepared once per connection. */
#include "helpers.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"

/* The columns of enum helpers_profile_col, from `p` (a row of astral_helper_public or
   astral_helpers_page) and `st` (astral_helper_stats of that helper). */
#define PROFILE_COLUMNS \
	"p.id, p.display_name, p.helper_tier, " EPOCH("p.joined_at") ", p.bio, array_to_json(p.expertise)::text," \
	" p.available, st.sessions, st.kudos, st.feedback, st.reputation::text, st.xp," \
	" (SELECT coalesce(json_agg(json_build_array(a.achievement, " EPOCH("a.awarded_at") ")" \
	"   ORDER BY a.awarded_at, a.achievement), '[]')::text FROM helper_achievements a WHERE a.helper_id = p.id)," \
	" (extract(epoch FROM p.joined_at) * 1000000)::bigint"
#define PROFILE_STATS " CROSS JOIN LATERAL astral_helper_stats(p.id) st"
#define EXPERTISE_FROM_JSON(n) "ARRAY(SELECT json_array_elements_text(" n "::json))"

const struct astral_stmt helpers_stmts[HELPERS_STMT_COUNT] = {
	[HELPERS_ONLINE_COUNT] = { "helpers_online_count",
		"SELECT astral_helpers_online_count()", 0 },
	/* $1 by name (else by join date), $2 expertise, $3 online, $4/$5/$6 the keyset (name, join
	   time in microseconds, id), $7 how many. */
	[HELPERS_PAGE] = { "helpers_page",
		"SELECT " PROFILE_COLUMNS
		" FROM astral_helpers_page($1::boolean, $2::text, $3::boolean, $4::text,"
		"  'epoch'::timestamptz + $5::bigint * interval '1 microsecond', $6::uuid, $7::integer)"
		"  WITH ORDINALITY AS p(id, display_name, helper_tier, joined_at, bio, expertise, available, ord)"
		PROFILE_STATS " ORDER BY p.ord", 7 },
	[HELPERS_PROFILE] = { "helpers_profile",
		"SELECT " PROFILE_COLUMNS " FROM astral_helper_public($1::uuid) p" PROFILE_STATS, 1 },
	/* A second create finds the row and returns nothing: 409, the transaction stays usable. */
	[HELPERS_PROFILE_INSERT] = { "helpers_profile_insert",
		"INSERT INTO helper_profiles (user_id, bio, expertise, available, created_at, updated_at)"
		" VALUES ($1::uuid, $2::text, " EXPERTISE_FROM_JSON("$3") ", false, to_timestamp($4::bigint),"
		"  to_timestamp($4::bigint))"
		" ON CONFLICT (user_id) DO NOTHING RETURNING 1", 4 },
	[HELPERS_PROFILE_UPDATE] = { "helpers_profile_update",
		"UPDATE helper_profiles SET bio = coalesce($2::text, bio),"
		" expertise = CASE WHEN $3::json IS NULL THEN expertise ELSE " EXPERTISE_FROM_JSON("$3") " END,"
		" updated_at = to_timestamp($4::bigint)"
		" WHERE user_id = $1::uuid RETURNING 1", 4 },
	/* Going offline touches nothing but these two columns (sessions and requests stay); the
	   previous value tells whether anything changed. */
	[HELPERS_AVAILABILITY_SET] = { "helpers_availability_set",
		"WITH old AS (SELECT available, available_since FROM helper_profiles WHERE user_id = $1::uuid FOR UPDATE)"
		" UPDATE helper_profiles h SET available = $2::boolean,"
		"  available_since = CASE WHEN NOT $2::boolean THEN NULL WHEN old.available THEN old.available_since"
		"   ELSE to_timestamp($3::bigint) END"
		" FROM old WHERE h.user_id = $1::uuid RETURNING old.available", 3 },
	/* The helpers of my favourite sessions, most recent session first; a helper who deleted
	   the account (helper_id NULL) or has no profile is left out. */
	[HELPERS_FAVORITES] = { "helpers_favorites",
		"SELECT " PROFILE_COLUMNS
		" FROM (SELECT s.helper_id, max(s.started_at) AS last FROM help_sessions s"
		"  WHERE s.seeker_id = $1::uuid AND s.favorite AND s.helper_id IS NOT NULL"
		"  GROUP BY s.helper_id ORDER BY last DESC, s.helper_id LIMIT $2::integer) f"
		" CROSS JOIN LATERAL astral_helper_public(f.helper_id) p" PROFILE_STATS
		" ORDER BY f.last DESC, p.id", 2 },
};

astral_err
helpers_exec(struct astral_request *req, enum helpers_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &helpers_stmts[s], p, res);
}
