/*
 * astralctl ai referrals: the operator's report of crisis referrals made by the AI features —
 * how many times, per UTC day and action, a person was shown the crisis card instead of (or
 * after) a model's answer (migrations/0013_ai.sql, ai_crisis_referrals). The table holds counts
 * only, never a person or a word, so the report is safe to share with a funder or a board.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../lib/clock.h"
#include "astralctl.h"

#define DAYS_DEFAULT 30
#define DAYS_MAX 3660

/* The last $2 UTC days up to the day of unix time $1, oldest first. */
static const struct astral_stmt referral_stmts[] = {
	{ "referrals_by_day",
	  "SELECT day::text, action, count FROM ai_crisis_referrals"
	  " WHERE day > (to_timestamp($1::bigint) AT TIME ZONE 'UTC')::date - $2::integer"
	  "   AND day <= (to_timestamp($1::bigint) AT TIME ZONE 'UTC')::date"
	  " ORDER BY day, action",
	  2 },
};

static const struct option referrals_options[] = {
	{ "days", required_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Prints the rows and the total of each action; returns an exit code. */
static int
print_referrals(struct astral_db *db, long long now, long days)
{
	struct astral_params p;
	PGresult *res = NULL;
	long long chat = 0, guidance = 0;
	astral_err err;

	astral_params_init(&p);
	astral_params_int(&p, now);
	astral_params_int(&p, days);
	err = astral_db_exec(db, &referral_stmts[0], &p, &res);
	if (err != ASTRAL_OK)
		return astralctl_db_failure(db, "reading ai_crisis_referrals", err);
	printf("crisis referrals by the AI features, the last %ld UTC day%s (no person, no content)\n", days,
	       days == 1 ? "" : "s");
	printf("%-10s  %-8s  %s\n", "day", "action", "count");
	for (int r = 0; r < PQntuples(res); r++) {
		long long n = astral_db_int(res, r, 2);

		printf("%-10s  %-8s  %lld\n", astral_db_value(res, r, 0), astral_db_value(res, r, 1), n);
		if (astral_db_value(res, r, 1)[0] == 'c')
			chat += n;
		else
			guidance += n;
	}
	printf("total: %lld (chat %lld, guidance %lld)\n", chat + guidance, chat, guidance);
	PQclear(res);
	return ASTRALCTL_OK;
}

int
astralctl_ai_referrals(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("ai", "referrals");
	struct astral_db *db = NULL;
	long days = DAYS_DEFAULT;
	char *end;
	int rc, opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", referrals_options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || days < 1 || days > DAYS_MAX) {
				astralctl_error("--days must be a whole number of days from 1 to %d, got '%s'", DAYS_MAX, optarg);
				return ASTRALCTL_USAGE;
			}
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);
	rc = astralctl_open_owner(ctl, referral_stmts, sizeof(referral_stmts) / sizeof(referral_stmts[0]), &db);
	if (rc != ASTRALCTL_OK)
		goto out;
	if (astral_db_begin(db, NULL, "system") != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "starting a transaction", ASTRAL_ERR_DB);
		goto out;
	}
	rc = print_referrals(db, (long long)astral_clock_now(&ctl->cfg), days);
	astral_db_rollback(db);
out:
	astral_db_close(db);
	return rc;
}
