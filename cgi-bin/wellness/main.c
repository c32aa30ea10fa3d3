/* cgi-bin/wellness: the route table. Everything else is in the handlers and libastral.
   Two helpers' statement tables live in this program (wellness_stmts for mood and habits,
   care_stmts for journal, assessments, safety plan and resources), so main() is spelled out
   rather than made by ASTRAL_PROGRAM. */
#include "care.h"
#include "program.h"
#include "wellness.h"

static const struct astral_route routes[] = {
	/* mood: check-ins, history, insights, CSV export (wellness.h) */
	{ "POST", "/api/wellness/mood", wellness_mood_checkin, ASTRAL_ANY_USER, &wellness_mood_checkin_input, 0 },
	{ "GET", "/api/wellness/mood", wellness_mood_history, ASTRAL_ANY_USER, &wellness_mood_history_input, 0 },
	{ "GET", "/api/wellness/mood/insights", wellness_mood_insights, ASTRAL_ANY_USER, &wellness_mood_insights_input, 0 },
	{ "GET", "/api/wellness/mood/export.csv", wellness_mood_export_csv, ASTRAL_ANY_USER, NULL, 0 },
	/* habits: catalogue, tracked habits, completions (wellness.h) */
	{ "GET", "/api/wellness/habits/catalog", wellness_habit_catalog, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/wellness/habits", wellness_habits_list, ASTRAL_ANY_USER, &wellness_habits_list_input, 0 },
	{ "POST", "/api/wellness/habits", wellness_habit_track, ASTRAL_ANY_USER, &wellness_habit_track_input, 0 },
	{ "DELETE", "/api/wellness/habits/{uuid}", wellness_habit_untrack, ASTRAL_ANY_USER, NULL, 0 },
	{ "POST", "/api/wellness/habits/{uuid}/completions/{day}", wellness_habit_complete, ASTRAL_ANY_USER, NULL, 0 },
	{ "DELETE", "/api/wellness/habits/{uuid}/completions/{day}", wellness_habit_uncomplete, ASTRAL_ANY_USER, NULL, 0 },
	/* care: journal, assessments, safety plan, resources (care.h) */
	{ "GET", "/api/wellness/journal", wellness_journal_list, ASTRAL_ANY_USER, &care_list_input, 0 },
	{ "POST", "/api/wellness/journal", wellness_journal_create, ASTRAL_ANY_USER, &wellness_journal_write_input, 0 },
	{ "PUT", "/api/wellness/journal/{uuid}", wellness_journal_update, ASTRAL_ANY_USER, &wellness_journal_write_input, 0 },
	{ "DELETE", "/api/wellness/journal/{uuid}", wellness_journal_delete, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/wellness/assessments/definitions", wellness_assessment_definitions, ASTRAL_PUBLIC, NULL, 0 },
	{ "GET", "/api/wellness/assessments", wellness_assessments_list, ASTRAL_ANY_USER, &care_list_input, 0 },
	{ "POST", "/api/wellness/assessments", wellness_assessment_submit, ASTRAL_ANY_USER, &wellness_assessment_submit_input, 0 },
	{ "POST", "/api/wellness/assessments/{uuid}/contact", wellness_assessment_contact, ASTRAL_ANY_USER, &wellness_assessment_contact_input, 0 },
	{ "GET", "/api/wellness/assessments/export.fhir.json", wellness_assessments_fhir, ASTRAL_ANY_USER, NULL, 0 },
	{ "GET", "/api/wellness/safety-plan", wellness_safety_plan_get, ASTRAL_ANY_USER, NULL, 0 },
	/* A plan filled to every limit in a script of 4-byte characters is about 200 KB of JSON (7
	   lists of 20 entries, up to two texts of 300 code points each). */
	{ "PUT", "/api/wellness/safety-plan", wellness_safety_plan_put, ASTRAL_ANY_USER, &wellness_safety_plan_put_input,
	  ASTRAL_BODY_LARGE },
	{ "GET", "/api/resources", wellness_resources_list, ASTRAL_PUBLIC, &wellness_resources_list_input, 0 },
};

static const struct astral_stmt *const wellness_program_stmt_tables[] = { wellness_stmts, care_stmts, NULL };
static const size_t wellness_program_stmt_counts[] = { WELLNESS_STMT_COUNT, CARE_STMT_COUNT, 0 };

static const struct astral_program wellness_program = {
	.name = "wellness",
	.routes = routes,
	.nroutes = sizeof(routes) / sizeof(routes[0]),
	.stmt_tables = wellness_program_stmt_tables,
	.stmt_counts = wellness_program_stmt_counts,
};

int
main(int argc, char **argv)
{
	return astral_program_main(argc, argv, &wellness_program);
}
