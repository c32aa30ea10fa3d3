/* Texts handed to the model by the assistants: a help session's messages opened with the
   session's key, and the companion conversation, each as "Speaker: words" lines, scrubbed. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ai.h"
#include "help_session_key.h"
#include "strbuf.h"

/* The transcript scrubbed into *out; the buffer is empty afterwards. */
static astral_err
finish(struct astral_request *req, struct astral_strbuf *b, char **out)
{
	char *text = astral_strbuf_take(b);

	if (text == NULL)
		return ASTRAL_ERR_NOMEM;
	*out = ai_scrub(req, text);
	free(text);
	return *out != NULL ? ASTRAL_OK : ASTRAL_ERR_NOMEM;
}

astral_err
ai_session_transcript(struct astral_request *req, const char *session_id, char **out)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	struct astral_strbuf b = ASTRAL_STRBUF_INIT;
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
		astral_strbuf_puts(&b, strcmp(role, "seeker") == 0 ? "Seeker: " : "Helper: ");
		astral_strbuf_puts(&b, text);
		astral_strbuf_puts(&b, "\n");
		free(text);
	}
	err = finish(req, &b, out);
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	astral_strbuf_free(&b);
	PQclear(res);
	return err;
}

astral_err
ai_companion_transcript(struct astral_request *req, char **conversation, char **own)
{
	struct ai_conversation c = { .open = 0 };
	struct ai_message *m = NULL;
	struct astral_strbuf all = ASTRAL_STRBUF_INIT, mine = ASTRAL_STRBUF_INIT;
	size_t n = 0;
	astral_err err;

	*conversation = *own = NULL;
	err = ai_conversation_open(req, &c);
	if (err == ASTRAL_OK)
		err = ai_history_load(req, &c, AI_HISTORY_SENT, &m, &n);
	ai_conversation_close(&c);
	if (err != ASTRAL_OK)
		return err;
	for (size_t i = 0; i < n; i++) {
		int person = strcmp(m[i].role, "user") == 0;

		if (m[i].fallback)
			continue;
		astral_strbuf_puts(&all, person ? "Person: " : "AI: ");
		astral_strbuf_puts(&all, m[i].text);
		astral_strbuf_puts(&all, "\n");
		if (person) {
			astral_strbuf_puts(&mine, m[i].text);
			astral_strbuf_puts(&mine, "\n\n");
		}
	}
	ai_history_free(m, n);
	err = finish(req, &all, conversation);
	if (err == ASTRAL_OK)
		err = finish(req, &mine, own);
	else
		astral_strbuf_free(&mine);
	if (err != ASTRAL_OK) {
		free(*conversation);
		*conversation = NULL;
	}
	return err;
}
