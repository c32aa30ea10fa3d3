/* PUT /api/me: the name others see (in chats, on a helper's profile and card, in the helpers'
   community). Anyone may change their own: an anonymous seeker who picked a name that says too much,
   a helper who wants another. The username, which signs in, never changes. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "json.h"

struct display_name_in { const char *display_name; };
static const struct astral_field display_name_fields[] = {
	{ "display_name", ASTRAL_F_TEXT, 1, 1, AUTH_DISPLAY_NAME_MAX, NULL,
	  offsetof(struct display_name_in, display_name), 0 },
};
const struct astral_input_spec me_display_name_input = { display_name_fields, 1, sizeof(struct display_name_in) };

void
me_display_name_put(struct astral_request *req, const void *input)
{
	const struct display_name_in *in = input;
	struct json_object *user, *body;
	struct astral_params p;
	PGresult *res = NULL;
	char name[sizeof(req->who.display_name)];
	size_t start, end;
	astral_err err;

	/* Spaces around a name are a slip of the keyboard; a name of spaces is none. */
	start = strspn(in->display_name, " ");
	end = strlen(in->display_name);
	while (end > start && in->display_name[end - 1] == ' ')
		end--;
	if (end == start) {
		astral_respond_field_error(req, 400, "invalid_field", "Some fields need attention.", "display_name",
		                           "must not be blank");
		return;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(end - start), in->display_name + start);

	astral_params_init(&p);
	astral_params_text(&p, req->who.user_id);
	astral_params_text(&p, name);
	astral_params_int(&p, req->now);
	err = auth_exec(req, AUTH_DISPLAY_NAME_SET, &p, &res);
	if (err == ASTRAL_OK && PQntuples(res) != 1)
		err = ASTRAL_ERR_NOT_FOUND;
	if (err != ASTRAL_OK) {
		astral_respond_err(req, err);
		goto out;
	}
	/* The answer's summary is the caller's, read with the session check: now with the new name. */
	memcpy(req->who.display_name, name, sizeof(name));
	auth_audit(req, req->who.user_id, req->who.role, "display_name_update", "user", req->who.user_id, "success",
	           NULL);
	user = auth_user_json(req, req->who.user_id, &err);
	if (user == NULL) {
		astral_respond_err(req, err);
		goto out;
	}
	body = json_object_new_object();
	json_object_object_add(body, "user", user);
	astral_respond(req, 200, body);
out:
	PQclear(res);
}
