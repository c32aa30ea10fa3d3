/* Every SQL statement of the mood and habit part of cgi-bin/wellness, prepared once per
   connection. Days travel as YYYY-MM-DD text ($n::date) or as day numbers (day_number.h). */
#include "wellness.h"

#define EPOCH(col) "extract(epoch FROM " col ")::bigint"
#define DAY_TEXT(col) "to_char(" col ", 'YYYY-MM-DD')"
#define DAY_NUMBER(col) "(" col " - DATE '1970-01-01')"

/* The fixed tags, in the order the insights list them (also in wellness_mood_tags and the
   CHECK of mood_checkins.tags). */
#define TAGS_SQL "ARRAY['Grateful', 'Anxious', 'Tired', 'Hopeful', 'Stressed', 'Calm', 'Lonely', 'Productive']::text[]"
#define CATEGORIES_SQL "ARRAY['Health', 'Mindfulness', 'Movement', 'Connection', 'Rest']::text[]"

/* A MoodCheckin row (enum wellness_mood_col). Tags hold no comma, so a joined list is exact. */
#define MOOD_COLUMNS \
	"c.id, " DAY_TEXT("c.day") ", c.mood, c.anxiety, c.sleep, c.energy, array_to_string(c.tags, ','), c.note," \
	" " EPOCH("c.created_at") ", " EPOCH("c.updated_at")

/* A Habit row (enum wellness_habit_col): every completion day as a day number, ascending (the
   primary key (habit_id, day) is the index). */
#define HABIT_COLUMNS \
	"h.id, h.catalog_id, coalesce(h.name, hc.name), coalesce(h.category, hc.category), " EPOCH("h.created_at") "," \
	" coalesce((SELECT string_agg(" DAY_NUMBER("d.day") "::text, ',' ORDER BY d.day) FROM habit_completions d" \
	" WHERE d.habit_id = h.id), '')"

#define HABIT_FROM " FROM habits h LEFT JOIN habit_catalog hc ON hc.id = h.catalog_id"

/*
 * Insights over the window of $4 days ending today in zone $2 at time $3, for user $1: one
 * statement (docs/wellness-api-contract.md, Insights). Every bound is computed once in b: under
 * row-level security only a comparison with a plain value (no function of it, such as
 * date - integer) becomes an index condition.
 *
 * The first row (part 0) carries what PostgreSQL computes: whether the zone was unknown, the
 * window's first and last day numbers, the check-in count, the averages and trends, and the
 * correlation lists as JSON (enum wellness_insight_col). Then one row per check-in of the last
 * 365 days (part 1, oldest first): its day number and the four measures. insights.c writes the
 * per-day series and the year in pixels from those rows; building ~450 small JSON objects in
 * PostgreSQL (json_build_object and to_char per day) cost more than all the aggregates together.
 *
 * The window's check-ins (at most 90) are read once through the (user_id, day) index and kept
 * (MATERIALIZED); the year is a second range scan of the same index (at most 365 rows); the
 * window's habit completions are one range scan of habit_completions_user_day. Counts and mood
 * sums are taken per tag (over the check-ins' unnested tags) and per habit (over the days it was
 * done); "without" is the window's total minus "with", so each check-in is visited once per tag it
 * carries instead of once per tag of the list. Tags and habits with at least 3 check-in days with
 * and 3 without are correlations, the others not_enough_data.
 */
#define MEASURE(m) \
	"'" m "', json_build_object('average', round(avg(w." m "), 2)," \
	" 'trend', round(regr_slope(w." m "::float8, w.x)::numeric, 4))"

#define INSIGHTS_SQL \
	"WITH b AS MATERIALIZED (" \
	"  SELECT t.today, t.today - ($4::int - 1) AS first, t.today - 364 AS year_first" \
	"  FROM (SELECT astral_local_day($2::text, $3::bigint) AS today) t)," \
	" w AS MATERIALIZED (" \
	"  SELECT c.day, c.mood, c.anxiety, c.sleep, c.energy, c.tags, (c.day - b.first)::float8 AS x" \
	"  FROM b JOIN mood_checkins c ON c.user_id = $1::uuid AND c.day BETWEEN b.first AND b.today)," \
	" done AS MATERIALIZED (" \
	"  SELECT d.habit_id, d.day" \
	"  FROM b JOIN habit_completions d ON d.user_id = $1::uuid AND d.day BETWEEN b.first AND b.today)," \
	" total AS (SELECT count(*) AS n, sum(w.mood) AS mood_sum FROM w)," \
	" tagged AS (" \
	"  SELECT x.tag, count(*) AS n, sum(x.mood) AS mood_sum" \
	"  FROM (SELECT DISTINCT w.day, w.mood, t.tag FROM w, unnest(w.tags) AS t(tag)) x GROUP BY x.tag)," \
	" habit_done AS (" \
	"  SELECT d.habit_id, count(*) AS n, sum(w.mood) AS mood_sum FROM done d JOIN w ON w.day = d.day" \
	"  GROUP BY d.habit_id)," \
	" with_counts AS (" \
	"  SELECT 'tag'::text AS kind, t.name, NULL::uuid AS habit_id, NULL::text AS catalog_id, t.ord::int AS ord," \
	"   coalesce(g.n, 0) AS n, g.mood_sum" \
	"  FROM unnest(" TAGS_SQL ") WITH ORDINALITY AS t(name, ord) LEFT JOIN tagged g ON g.tag = t.name" \
	"  UNION ALL" \
	"  SELECT 'habit', coalesce(h.name, hc.name), h.id, h.catalog_id, 0, coalesce(hd.n, 0), hd.mood_sum" \
	"  FROM habits h LEFT JOIN habit_catalog hc ON hc.id = h.catalog_id" \
	"  LEFT JOIN habit_done hd ON hd.habit_id = h.id" \
	"  WHERE h.user_id = $1::uuid)," \
	" stats AS MATERIALIZED (" \
	"  SELECT c.kind, c.name, c.habit_id, c.catalog_id, c.ord, c.n AS days_with, total.n - c.n AS days_without," \
	"   c.mood_sum::numeric / nullif(c.n, 0) AS mood_with," \
	"   (total.mood_sum - coalesce(c.mood_sum, 0))::numeric / nullif(total.n - c.n, 0) AS mood_without" \
	"  FROM with_counts c CROSS JOIN total)" \
	" SELECT 0 AS part, b.today IS NULL, " DAY_NUMBER("b.first") " AS day, " DAY_NUMBER("b.today") "," \
	"  (SELECT count(*) FROM w)," \
	"  (SELECT json_build_object(" MEASURE("mood") ", " MEASURE("anxiety") ", " MEASURE("sleep") ", " \
	      MEASURE("energy") ") FROM w)::text," \
	"  (SELECT coalesce(json_agg(json_build_object('kind', s.kind, 'name', s.name," \
	"     'habit_id', s.habit_id, 'catalog_id', s.catalog_id, 'days_with', s.days_with," \
	"     'days_without', s.days_without, 'mood_with', round(s.mood_with, 2), 'mood_without', round(s.mood_without, 2)," \
	"     'difference', round(s.mood_with - s.mood_without, 2))" \
	"     ORDER BY abs(s.mood_with - s.mood_without) DESC, s.kind DESC, s.ord, s.name, s.habit_id), '[]'::json)" \
	"   FROM stats s WHERE s.days_with >= 3 AND s.days_without >= 3)::text," \
	"  (SELECT coalesce(json_agg(json_build_object('kind', s.kind, 'name', s.name," \
	"     'habit_id', s.habit_id, 'catalog_id', s.catalog_id, 'days_with', s.days_with," \
	"     'days_without', s.days_without)" \
	"     ORDER BY s.kind DESC, s.ord, s.name, s.habit_id), '[]'::json)" \
	"   FROM stats s WHERE s.days_with < 3 OR s.days_without < 3)::text," \
	"  NULL::smallint, NULL::smallint, NULL::smallint, NULL::smallint," \
	"  coalesce((SELECT v.version FROM wellness_versions v WHERE v.user_id = $1::uuid), 0)" \
	" FROM b" \
	" UNION ALL" \
	" SELECT 1, NULL, " DAY_NUMBER("c.day") ", NULL, NULL, NULL, NULL, NULL, c.mood, c.anxiety, c.sleep, c.energy, NULL" \
	" FROM b JOIN mood_checkins c ON c.user_id = $1::uuid AND c.day BETWEEN b.year_first AND b.today" \
	" ORDER BY part, day"

const struct astral_stmt wellness_stmts[WELLNESS_STMT_COUNT] = {
	/* Today in a zone as a day number; NULL for a zone PostgreSQL does not know. */
	[WELLNESS_LOCAL_DAY] = { "wellness_local_day",
		"SELECT " DAY_NUMBER("astral_local_day($1::text, $2::bigint)"), 2 },
	/* The caller's local day and the id of that day's check-in, if any. */
	[WELLNESS_MOOD_DAY] = { "wellness_mood_day",
		"SELECT " DAY_TEXT("d.day") ", c.id FROM (SELECT astral_local_day($2::text, $3::bigint) AS day) d"
		" LEFT JOIN mood_checkins c ON c.user_id = $1::uuid AND c.day = d.day", 3 },
	/* The day's check-in, new or updated. The update applies only to the row with the id the note
	   was sealed for ($1): when another request created the day's row with another id in between,
	   nothing is returned and the caller seals again for that row. */
	[WELLNESS_MOOD_UPSERT] = { "wellness_mood_upsert",
		"INSERT INTO mood_checkins AS c (id, user_id, day, mood, anxiety, sleep, energy, tags, note,"
		" created_at, updated_at)"
		" VALUES ($1::uuid, $2::uuid, $3::date, $4::smallint, $5::smallint, $6::smallint, $7::smallint,"
		" string_to_array($8::text, ','), $9::bytea, to_timestamp($10::bigint), to_timestamp($10::bigint))"
		" ON CONFLICT (user_id, day) DO UPDATE SET mood = EXCLUDED.mood, anxiety = EXCLUDED.anxiety,"
		" sleep = EXCLUDED.sleep, energy = EXCLUDED.energy, tags = EXCLUDED.tags, note = EXCLUDED.note,"
		" updated_at = EXCLUDED.updated_at"
		" WHERE c.id = EXCLUDED.id"
		" RETURNING " MOOD_COLUMNS, 10 },
	/* A check-in without a note, in one statement: today in zone $3 at unix time $9, created with
	   id $1 or, when the day has one, replaced (its id kept, its note gone). No row: the zone is
	   not known. */
	[WELLNESS_MOOD_UPSERT_TODAY] = { "wellness_mood_upsert_today",
		"INSERT INTO mood_checkins AS c (id, user_id, day, mood, anxiety, sleep, energy, tags, note,"
		" created_at, updated_at)"
		" SELECT $1::uuid, $2::uuid, d.day, $4::smallint, $5::smallint, $6::smallint, $7::smallint,"
		" string_to_array($8::text, ','), NULL, to_timestamp($9::bigint), to_timestamp($9::bigint)"
		" FROM (SELECT astral_local_day($3::text, $9::bigint) AS day) d WHERE d.day IS NOT NULL"
		" ON CONFLICT (user_id, day) DO UPDATE SET mood = EXCLUDED.mood, anxiety = EXCLUDED.anxiety,"
		" sleep = EXCLUDED.sleep, energy = EXCLUDED.energy, tags = EXCLUDED.tags, note = NULL,"
		" updated_at = EXCLUDED.updated_at"
		" RETURNING " MOOD_COLUMNS, 9 },
	[WELLNESS_MOOD_RANGE] = { "wellness_mood_range",
		"SELECT " MOOD_COLUMNS " FROM mood_checkins c"
		" WHERE c.user_id = $1::uuid AND c.day BETWEEN $2::date AND $3::date ORDER BY c.day DESC", 3 },
	[WELLNESS_MOOD_INSIGHTS] = { "wellness_mood_insights", INSIGHTS_SQL, 4 },
	/* The kept Insights document of user $1 for window $2, when it was built for zone $3, for
	   today in that zone at unix time $4 and from the current version of their data; no row
	   otherwise (migrations/0012_insights_cache.sql). */
	[WELLNESS_MOOD_INSIGHTS_KEPT] = { "wellness_mood_insights_kept",
		"SELECT k.body FROM mood_insights_cache k"
		" LEFT JOIN wellness_versions v ON v.user_id = k.user_id"
		" WHERE k.user_id = $1::uuid AND k.days = $2::smallint AND k.timezone = $3::text"
		" AND k.today = astral_local_day($3::text, $4::bigint) AND k.version = coalesce(v.version, 0)", 4 },
	/* Keep the document built for ($1, $2, $3, today = day number $4) from data version $5;
	   never over one built from a later version. */
	[WELLNESS_MOOD_INSIGHTS_KEEP] = { "wellness_mood_insights_keep",
		"INSERT INTO mood_insights_cache AS k (user_id, days, timezone, today, version, body)"
		" VALUES ($1::uuid, $2::smallint, $3::text, DATE '1970-01-01' + $4::int, $5::bigint, $6::text)"
		" ON CONFLICT (user_id, days) DO UPDATE SET timezone = EXCLUDED.timezone, today = EXCLUDED.today,"
		" version = EXCLUDED.version, body = EXCLUDED.body WHERE k.version <= EXCLUDED.version", 6 },
	[WELLNESS_MOOD_EXPORT] = { "wellness_mood_export",
		"SELECT " MOOD_COLUMNS " FROM mood_checkins c WHERE c.user_id = $1::uuid ORDER BY c.day", 1 },
	[WELLNESS_HABIT_EXPORT] = { "wellness_habit_export",
		"SELECT coalesce(h.name, hc.name), " DAY_TEXT("d.day")
		" FROM habit_completions d JOIN habits h ON h.id = d.habit_id"
		" LEFT JOIN habit_catalog hc ON hc.id = h.catalog_id"
		" WHERE d.user_id = $1::uuid ORDER BY d.day, 1, h.id", 1 },
	[WELLNESS_HABIT_CATALOG] = { "wellness_habit_catalog",
		"SELECT c.id, c.name, c.category, c.description FROM habit_catalog c"
		" ORDER BY array_position(" CATEGORIES_SQL ", c.category), c.name", 0 },
	[WELLNESS_HABITS_LIST] = { "wellness_habits_list",
		"SELECT " HABIT_COLUMNS HABIT_FROM " WHERE h.user_id = $1::uuid ORDER BY h.created_at, h.id", 1 },
	[WELLNESS_HABIT_GET] = { "wellness_habit_get",
		"SELECT " HABIT_COLUMNS HABIT_FROM " WHERE h.id = $1::uuid AND h.user_id = $2::uuid", 2 },
	/* Track catalogue habit $3 as new habit $1 of user $2 unless $5 are tracked already: whether
	   the catalogue has it, how many the user tracks, and the new id (NULL when already tracked
	   or at the limit). */
	[WELLNESS_HABIT_TRACK_CATALOG] = { "wellness_habit_track_catalog",
		"WITH cat AS (SELECT c.id FROM habit_catalog c WHERE c.id = $3::text),"
		" n AS (SELECT count(*) AS tracked FROM habits WHERE user_id = $2::uuid),"
		" ins AS (INSERT INTO habits (id, user_id, catalog_id, created_at)"
		"  SELECT $1::uuid, $2::uuid, cat.id, to_timestamp($4::bigint) FROM cat, n WHERE n.tracked < $5::int"
		"  ON CONFLICT (user_id, catalog_id) DO NOTHING RETURNING id)"
		" SELECT EXISTS (SELECT 1 FROM cat), (SELECT tracked FROM n), (SELECT id FROM ins)", 5 },
	/* A custom habit: how many the user tracks, and the new id (NULL at the limit). */
	[WELLNESS_HABIT_TRACK_CUSTOM] = { "wellness_habit_track_custom",
		"WITH n AS (SELECT count(*) AS tracked FROM habits WHERE user_id = $2::uuid),"
		" ins AS (INSERT INTO habits (id, user_id, name, category, created_at)"
		"  SELECT $1::uuid, $2::uuid, $3::text, $4::text, to_timestamp($5::bigint) FROM n WHERE n.tracked < $6::int"
		"  RETURNING id)"
		" SELECT (SELECT tracked FROM n), (SELECT id FROM ins)", 6 },
	[WELLNESS_HABIT_UNTRACK] = { "wellness_habit_untrack",
		"DELETE FROM habits WHERE id = $1::uuid AND user_id = $2::uuid RETURNING id", 2 },
	/* Mark day $3 done: a row when it is new, none when it was done already or the habit is not
	   the caller's. */
	[WELLNESS_HABIT_COMPLETE] = { "wellness_habit_complete",
		"INSERT INTO habit_completions (habit_id, user_id, day, created_at)"
		" SELECT h.id, h.user_id, $3::date, to_timestamp($4::bigint) FROM habits h"
		" WHERE h.id = $1::uuid AND h.user_id = $2::uuid"
		" ON CONFLICT (habit_id, day) DO NOTHING RETURNING habit_id", 4 },
	[WELLNESS_HABIT_UNCOMPLETE] = { "wellness_habit_uncomplete",
		"DELETE FROM habit_completions WHERE habit_id = $1::uuid AND user_id = $2::uuid AND day = $3::date", 3 },
};

astral_err
wellness_exec(struct astral_request *req, enum wellness_stmt s, const struct astral_params *p, PGresult **res)
{
	return astral_db_exec(req->app->db, &wellness_stmts[s], p, res);
}
