/* My helper profile: read it, create it once, change it. The display name is the account's. */
#include <stddef.h>
#include <string.h>

#include "helpers.h"
#include "json.h"

struct profile_in {
	const char *bio;
	struct astral_list expertise;
};
static const struct astral_field post_fields[] = {
	{ "bio", ASTRAL_F_MULTILINE, 1, 1, HELPERS_BIO_MAX, NULL, offsetof(struct profile_in, bio), 0 },
	{ "expertise", ASTRAL_F_ENUM_LIST, 1, 1, HELPERS_EXPERTISE_MAX, helpers_expertise,
	  offsetof(struct profile_in, expertise), 0 },
};
const struct astral_input_spec helpers_me_post_input = { post_fields, 2, sizeof(struct profile_in) };

static const struct astral_field put_fields[] = {
	{ "bio", ASTRAL_F_MULTILINE, 0, 1, HELPERS_BIO_MAX, NULL, offsetof(struct profile_in, bio), 0 },
	{ "expertise", ASTRAL_F_ENUM_LIST, 0, 1, HELPERS_EXPERTISE_MAX, helpers_expertise,
	  offsetof(struct profile_in, expertise), 0 },
};
const struct astral_input_spec helpers_me_put_input = { put_fields, 2, sizeof(struct profile_in) };

/* The input layer bounds the list from above and refuses duplicates; a profile also needs at
   least one area. Answers 400 and returns 0 when the body breaks a rule. */
static int
profile_input_ok(struct astral_request *req, const struct profile_in *in)
{
	if (in->expertise.present && in->expertise.n == 0) {
		astral_respond_field_error(req, 400, "invalid_field", "Choose at least one area of expertise.",
		                           "expertise", "must have at least one item");
		return 0;
	}
	if (in->bio == NULL && !in->expertise.present) {
		astral_respond_field_error(req, 400, "invalid_field", "Send the fields to change.", "body",
		                           "needs bio or expertise");
		return 0;
	}
	return 1;
}

/* The list as JSON text for the statement; NULL when absent. */
static struct json_object *
expertise_json(const struct profile_in *in)
{
	struct json_object *a;

	if (!in->expertise.present)
		return NULL;
	a = json_object_new_array();
	for (size_t i = 0; i < in->expertise.n; i++)
		json_object_array_add(a, json_object_new_string(in->expertise.items[i]));
	return a;
}

void
helpers_me_get(struct astral_request *req, const void *input)
{
	(void)input;
	helpers_respond_profile(req, 200, req->who.user_id);
}

static void
write_profile(struct astral_request *req, const struct profile_in *in, int create)
{
	struct json_object *expertise = NULL;
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	if (!profile_input_ok(req, in))
		return;
	expertise = expertise_json(in);
	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, in->bio);
	astral_params_text(&p, expertise ? json_object_to_json_string_ext(expertise, JSON_C_TO_STRING_PLAIN) : NULL);
	astral_params_int(&p, req->now);
	err = helpers_exec(req, create ? HELPERS_PROFILE_INSERT : HELPERS_PROFILE_UPDATE, &p, &res);
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		if (create)
			astral_respond_refusal(req, 409, "profile_exists", "You already have a helper profile.", NULL, NULL);
		else
			astral_respond_err(req, ASTRAL_ERR_NOT_FOUND);
		goto out;
	}
	helpers_audit(req, create ? "helper_profile_create" : "helper_profile_update", NULL);
	helpers_respond_profile(req, create ? 201 : 200, req->who.user_id);
out:
	json_object_put(expertise);
	PQclear(res);
}

void
helpers_me_post(struct astral_request *req, const void *input)
{
	write_profile(req, input, 1);
}

void
helpers_me_put(struct astral_request *req, const void *input)
{
	write_profile(req, input, 0);
}
