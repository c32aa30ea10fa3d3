/*
 * The helpers' council: proposals, newest first, and one vote per helper while a proposal is
 * open (`status` is closed from ends_at on, by the request's clock). Submitting needs a
 * reputation of at least 4.0 from help-session feedback. Staff read proposals but neither
 * propose nor vote (the route table and the votes' row policy say so). Writes are audited.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "helpers.h"
#include "json.h"
#include "random.h"

#define TITLE_MIN 3
#define TITLE_MAX 120
#define DESCRIPTION_MAX 2000
#define DAYS_MAX 30
#define DAYS_DEFAULT 7
#define COUNCIL_REPUTATION 4.0

static const char *const statuses[] = { "open", "closed", "all", NULL };
static const char *const votes[] = { "for", "against", "abstain", NULL };

struct list_in { const char *status; long long limit; const char *cursor; };
static const struct astral_field list_fields[] = {
	{ "status", ASTRAL_F_ENUM, 0, 0, 0, statuses, offsetof(struct list_in, status), 0 },
	{ "limit", ASTRAL_F_INT, 0, 1, 100, NULL, offsetof(struct list_in, limit), 20 },
	{ "cursor", ASTRAL_F_TEXT, 0, 1, ASTRAL_CURSOR_TEXT_MAX, NULL, offsetof(struct list_in, cursor), 0 },
};
const struct astral_input_spec community_proposals_page_input = { list_fields, 3, sizeof(struct list_in) };

struct proposal_in { const char *title; const char *description; long long days; };
static const struct astral_field proposal_fields[] = {
	{ "title", ASTRAL_F_TEXT, 1, TITLE_MIN, TITLE_MAX, NULL, offsetof(struct proposal_in, title), 0 },
	{ "description", ASTRAL_F_MULTILINE, 1, 1, DESCRIPTION_MAX, NULL, offsetof(struct proposal_in, description), 0 },
	{ "days", ASTRAL_F_INT, 0, 1, DAYS_MAX, NULL, offsetof(struct proposal_in, days), DAYS_DEFAULT },
};
const struct astral_input_spec community_proposal_input = { proposal_fields, 3, sizeof(struct proposal_in) };

struct vote_in { const char *vote; };
static const struct astral_field vote_fields[] = {
	{ "vote", ASTRAL_F_ENUM, 1, 0, 0, votes, offsetof(struct vote_in, vote), 0 },
};
const struct astral_input_spec community_vote_input = { vote_fields, 1, sizeof(struct vote_in) };

static struct json_object *
proposal_json(const struct astral_request *req, const PGresult *res, int row)
{
	struct json_object *o = json_object_new_object(), *counts = json_object_new_object();

	(void)req;
	astral_json_add_str(o, "id", astral_db_value(res, row, CR_ID));
	astral_json_add_str(o, "title", astral_db_value(res, row, CR_TITLE));
	astral_json_add_str(o, "description", astral_db_value(res, row, CR_DESCRIPTION));
	json_object_object_add(o, "author", community_author_json(res, row, CR_AUTHOR_ID, CR_AUTHOR_NAME));
	astral_json_add_time(o, "created_at", astral_db_int(res, row, CR_CREATED_AT));
	astral_json_add_time(o, "ends_at", astral_db_int(res, row, CR_ENDS_AT));
	astral_json_add_str(o, "status", astral_db_bool(res, row, CR_CLOSED) ? "closed" : "open");
	astral_json_add_int(counts, "for", astral_db_int(res, row, CR_FOR));
	astral_json_add_int(counts, "against", astral_db_int(res, row, CR_AGAINST));
	astral_json_add_int(counts, "abstain", astral_db_int(res, row, CR_ABSTAIN));
	json_object_object_add(o, "votes", counts);
	astral_json_add_str(o, "my_vote", astral_db_value(res, row, CR_MY_VOTE));
	return o;
}

/* Read one proposal as the caller sees it into *res; NOT_FOUND when there is none. */
static astral_err
proposal_read(struct astral_request *req, const char *id, PGresult **res)
{
	struct astral_params p;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, id);
	err = helpers_exec(req, HELPERS_PROPOSAL_GET, &p, res);
	if (err == ASTRAL_OK && PQntuples(*res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	return err;
}

/* Whether my reputation (5 × the share of helpful feedback; none before any) reaches the
   council's 4.0. */
static astral_err
on_the_council(struct astral_request *req, int *yes)
{
	struct astral_params p;
	PGresult *res = NULL;
	const char *text;
	char *end = NULL;
	double v;
	astral_err err;

	*yes = 0;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	err = helpers_exec(req, HELPERS_MY_REPUTATION, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_INTERNAL;
	if (err != ASTRAL_OK)
		goto out;
	text = astral_db_value(res, 0, 0);
	if (text == NULL)
		goto out;
	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !isfinite(v)) {
		err = ASTRAL_ERR_INTERNAL;
		goto out;
	}
	*yes = v >= COUNCIL_REPUTATION;
out:
	PQclear(res);
	return err;
}

void
community_proposals_list(struct astral_request *req, const void *input)
{
	const struct list_in *in = input;
	struct community_after after;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!community_after_read(req, in->cursor, 'r', &after))
		return;
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_int(&p, req->now);
	astral_params_text(&p, in->status != NULL ? in->status : "all");
	community_params_after(&p, &after, in->cursor);
	astral_params_int(&p, in->limit + 1);
	err = helpers_exec(req, HELPERS_PROPOSALS_PAGE, &p, &res);
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	else
		community_respond_page(req, res, in->limit, 'r', proposal_json, CR_CREATED_US, CR_ID);
	PQclear(res);
}

void
community_proposal_create(struct astral_request *req, const void *input)
{
	const struct proposal_in *in = input;
	char id[ASTRAL_UUID_STR_LEN + 1];
	struct astral_params p;
	PGresult *res = NULL;
	int council;
	astral_err err;

	if (community_refuse_blank(req, in->title, "title") || community_refuse_blank(req, in->description, "description"))
		return;
	err = on_the_council(req, &council);
	if (err != ASTRAL_OK)
		goto out;
	if (!council) {
		astral_respond_refusal(req, 403, "not_council",
		                       "Proposals are for council members: helpers with a reputation of 4.0 or more.",
		                       "reputation", "must be at least 4.0");
		goto out;
	}
	err = astral_uuid_v4(id);
	if (err != ASTRAL_OK)
		goto out;
	astral_params_init(&p);
	astral_params_text(&p, id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->title);
	astral_params_text(&p, in->description);
	astral_params_int(&p, in->days);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, HELPERS_PROPOSAL_INSERT, &p, NULL);
	if (err == ASTRAL_OK)
		err = proposal_read(req, id, &res);
	if (err != ASTRAL_OK)
		goto out;
	helpers_audit_object(req, "community_proposal_create", "community_proposal", id, NULL);
	astral_respond(req, 201, proposal_json(req, res, 0));
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(res);
}

void
community_proposal_vote(struct astral_request *req, const void *input)
{
	const struct vote_in *in = input;
	const char *proposal_id = req->path_params[0];
	struct astral_params p;
	PGresult *cast = NULL, *res = NULL;
	astral_err err;

	astral_params_init(&p);
	astral_params_text(&p, proposal_id);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->vote);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, HELPERS_VOTE_INSERT, &p, &cast);
	if (err == ASTRAL_OK)
		err = proposal_read(req, proposal_id, &res);
	if (err != ASTRAL_OK)
		goto out;
	if (PQntuples(cast) != 1) {
		if (astral_db_bool(res, 0, CR_CLOSED))
			astral_respond_refusal(req, 409, "voting_closed", "Voting on this proposal has closed.", "vote",
			                       "the proposal is closed");
		else
			astral_respond_refusal(req, 409, "already_voted", "You have already voted on this proposal.", "vote",
			                       "already cast");
		goto out;
	}
	helpers_audit_object(req, "community_vote", "community_proposal", proposal_id, NULL);
	astral_respond(req, 200, proposal_json(req, res, 0));
out:
	if (err != ASTRAL_OK)
		astral_respond_err(req, err);
	PQclear(cast);
	PQclear(res);
}
