/* Texts handed to the model by the assistants: a help session's messages opened with the
   session's key, and the companion conversation, each as "Speaker: words" lines, scrubbed one
   message at a time (a participant's username could be "helper": the labels are not theirs). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ai.h"
#include "help_session_key.h"
#include "strbuf.h"

astral_err
ai_session_names(struct astral_request *req, const char *session_id, struct ai_names *out)
{
	struct astral_params p;
	PGresult *res = NULL;
	astral_err err;

	out->n = 0;
	astral_params_init(&p);
	astral_params_text(&p, session_id);
	err = ai_exec(req, AI_SESSION_NAMES, &p, &res);
	for (int row = 0; err == ASTRAL_OK && row < PQntuples(res); row++) {
		for (int col = 0; col < 2 && err == ASTRAL_OK; col++) {
			const char *name = astral_db_value(res, row, col);

			if (name == NULL || name[0] == '\0' || out->n == AI_NAMES_MAX)
				continue;
			out->name[out->n] = strdup(name);
			if (out->name[out->n] == NULL)
				err = ASTRAL_ERR_NOMEM;
			else
				out->n++;
		}
	}
	if (err != ASTRAL_OK)
		ai_names_free(out);
	PQclear(res);
	return err;
}

astral_err
ai_session_transcript(struct astral_request *req, const char *session_id, char **out)
{
	unsigned char dek[ASTRAL_DEK_LEN];
	struct astral_strbuf b = ASTRAL_STRBUF_INIT;
	struct ai_names names = { .n = 0 };
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
	err = ai_session_names(req, session_id, &names);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_help_session_key_load(req, session_id, dek);
	if (err != ASTRAL_OK)
		goto out;
	have_key = 1;
	for (int row = n - 1; row >= 0; row--) {          /* newest first in the result */
		const char *role = astral_db_value(res, row, 1);
		unsigned char *sealed = NULL;
		size_t slen = 0;
		char *text = NULL, *scrubbed = NULL;

		err = astral_db_bytes(res, row, 2, &sealed, &slen);
		if (err == ASTRAL_OK)
			err = astral_field_open(dek, "messages", "body", astral_db_value(res, row, 0), sealed, slen, &text);
		free(sealed);
		if (err == ASTRAL_OK && (scrubbed = ai_scrub_names(req, text, &names)) == NULL)
			err = ASTRAL_ERR_NOMEM;
		free(text);
		if (err != ASTRAL_OK)
			goto out;
		astral_strbuf_puts(&b, strcmp(role, "seeker") == 0 ? "Seeker: " : "Helper: ");
		astral_strbuf_puts(&b, scrubbed);
		astral_strbuf_puts(&b, "\n");
		free(scrubbed);
	}
	*out = astral_strbuf_take(&b);
	if (*out == NULL)
		err = ASTRAL_ERR_NOMEM;
out:
	if (have_key)
		OPENSSL_cleanse(dek, sizeof(dek));
	ai_names_free(&names);
	astral_strbuf_free(&b);
	PQclear(res);
	return err;
}

/* One message of the companion conversation as its line of the transcript, scrubbed. */
static char *
conversation_line(const char *label, const char *scrubbed)
{
	struct astral_strbuf line = ASTRAL_STRBUF_INIT;

	astral_strbuf_puts(&line, label);
	astral_strbuf_puts(&line, scrubbed);
	astral_strbuf_puts(&line, "\n");
	return astral_strbuf_take(&line);
}

astral_err
ai_companion_transcript(struct astral_request *req, char **conversation, char **own)
{
	struct ai_conversation c = { .open = 0 };
	struct ai_message *m = NULL;
	struct ai_turn *lines = NULL;
	struct astral_strbuf all = ASTRAL_STRBUF_INIT, mine = ASTRAL_STRBUF_INIT;
	size_t n = 0, k = 0;
	astral_err err;

	*conversation = *own = NULL;
	err = ai_conversation_open(req, &c);
	if (err == ASTRAL_OK)
		err = ai_history_load(req, &c, AI_HISTORY_SENT, &m, &n);
	ai_conversation_close(&c);
	if (err != ASTRAL_OK)
		return err;
	lines = calloc(n + 1, sizeof(*lines));
	if (lines == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		int person = strcmp(m[i].role, "user") == 0;
		char *text;

		if (m[i].fallback)
			continue;
		text = ai_scrub(req, m[i].text);
		if (text == NULL) {
			err = ASTRAL_ERR_NOMEM;
			goto out;
		}
		lines[k].speaker = person ? AI_SPEAKER_USER : AI_SPEAKER_MODEL;
		lines[k].text = conversation_line(person ? "Person: " : "AI: ", text);
		if (person) {
			astral_strbuf_puts(&mine, text);
			astral_strbuf_puts(&mine, "\n\n");
		}
		free(text);
		if (lines[k++].text == NULL) {
			err = ASTRAL_ERR_NOMEM;
			goto out;
		}
	}
	/* The person's own words are the draft's fallback, all of them; what the model gets is the
	   newest of the conversation, within the budget the companion keeps. */
	k = ai_context_keep_newest(lines, k);
	for (size_t i = 0; i < k; i++)
		astral_strbuf_puts(&all, lines[i].text);
	*conversation = astral_strbuf_take(&all);
	*own = astral_strbuf_take(&mine);
	if (*conversation == NULL || *own == NULL) {
		err = ASTRAL_ERR_NOMEM;
		free(*conversation);
		free(*own);
		*conversation = *own = NULL;
	}
out:
	for (size_t i = 0; lines != NULL && i < k; i++)
		free((char *)(uintptr_t)lines[i].text);
	free(lines);
	astral_strbuf_free(&all);
	astral_strbuf_free(&mine);
	ai_history_free(m, n);
	return err;
}
