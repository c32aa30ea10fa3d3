/* Texts handed to the model by the assistants: a help session's messages opened with the
   session's key, and the companion conversation, each as "Speaker: words" lines, scrubbed. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ai.h"
#include "help_session_key.h"

struct buf { char *s; size_t len, cap; int failed; };

static void
add(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *t = realloc(b->s, cap);

		if (t == NULL) {
			b->failed = 1;
			return;
		}
		b->s = t;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n + 1);
	b->len += n;
}

static astral_err
finish(struct astral_request *req, struct buf *b, char **out)
{
	if (b->failed || b->s == NULL) {
		free(b->s);
		return ASTRAL_ERR_NOMEM;
	}
	*out = ai_scrub(req, b->s);
	free(b->s);
	return *out != NULL ? ASTRAL_OK : ASTRAL_ERR_NOMEM;
}

astral_err
ai_session_transcript(struct astral_request *req, const char *session_id, char **out)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	struct buf b = { NULL, 0, 0, 0 };
	struct astral_params p;
	PGresult *res = NULL;
	int have_key = 0, n;
	astral_err err;

	*out = NULL;
	astral_params_init(&p);
	astral_params_text(&p, session_id);
	astral_params_text(&p, req->who.user_id);
	err = ai_exec(req, AI_SESSION_MESSAGES, &p, &res);
	if (err != ASTRAL_OK)
		goto out;
	n = PQntuples(res);
	if (n == 0) {
		err = ASTRAL_ERR_NOT_FOUND;
		goto out;
	}
	err = astral_help_session_key_load(req, session_id, dek);
	if (err != ASTRAL_OK)
		goto out;
	have_key = 1;
	add(&b, "");
	for (int row = n - 1; row >= 0; row--) {          /* newest first in the result */
		const char *role = astral_db_value(res, row, 1);
		unsigned char *sealed = NULL;
		size_t slen = 0;
		char *text = NULL;

		err = astral_db_bytes(res, row, 2, &sealed, &slen);
		if (err == ASTRAL_OK)
			err = astral_field_open(dek, "messages", "body", astral_db_value(res, row, 0), sealed, slen, &text);
		free(sealed);
		if (err != ASTRAL_OK)
			goto out;
		add(&b, strcmp(role, "seeker") == 0 ? "Seeker: " : "Helper: ");
		add(&b, text);
		add(&b, "\n");
		free(text);
	}
	err = finish(req, &b, out);
	b.s = NULL;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	free(b.s);
	PQclear(res);
	return err;
}

astral_err
ai_companion_transcript(struct astral_request *req, int people_only, char **out, size_t *messages)
{
	struct ai_message *m = NULL;
	struct buf b = { NULL, 0, 0, 0 };
	size_t n = 0;
	astral_err err;

	*out = NULL;
	err = ai_history_load(req, AI_HISTORY_SENT, &m, &n);
	if (err != ASTRAL_OK)
		return err;
	*messages = n;
	add(&b, "");
	for (size_t i = 0; i < n; i++) {
		if (m[i].fallback || (people_only && strcmp(m[i].role, "user") != 0))
			continue;
		if (!people_only)
			add(&b, strcmp(m[i].role, "user") == 0 ? "Person: " : "AI: ");
		add(&b, m[i].text);
		add(&b, people_only ? "\n\n" : "\n");
	}
	ai_history_free(m, n);
	return finish(req, &b, out);
}
