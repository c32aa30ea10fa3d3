/*
 * cgi-bin/ai: the only program that talks to a model (docs/ai-api-contract.md, docs/ai.md).
 * Handlers: status.c (GET /api/ai/status, POST /api/ai/age-confirmation), companion.c (POST
 * /api/ai/chat, JSON or streamed), history.c (GET and DELETE /api/ai/history, and the sealed
 * conversation), assistants.c (draft-post, summarize-post, summarize-session, guidance,
 * helper-feedback), match.c (POST /api/ai/match). Below them: runtime.c (the process's provider
 * and prompts), provider*.c (the model providers), ask.c (one call to the model with its
 * safeguards), context.c (a conversation's newest turns within the budget), quota.c, scrub.c
 * (identifiers out of what is sent), safety.c (crisis screening of what goes in and comes out),
 * statements.c (every SQL statement of the program).
 */
#ifndef ASTRAL_AI_H
#define ASTRAL_AI_H

#include <stddef.h>

#include <json-c/json.h>

#include "crisis.h"
#include "crypt.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "provider.h"
#include "router.h"

enum ai_stmt {
	AI_AGE_GET,
	AI_AGE_SET,
	AI_USAGE_TAKE,
	AI_USAGE_TODAY,
	AI_HISTORY_RECENT,
	AI_MESSAGE_INSERT,
	AI_HISTORY_DELETE,
	AI_REFERRAL_COUNT,
	AI_POST_FOR_HELPER,
	AI_SESSION_MESSAGES,
	AI_GUIDANCE_MESSAGE,
	AI_FEEDBACK_SESSION,
	AI_MATCH_POSTS,
	AI_CHAT_OPEN,
	AI_SESSION_NAMES,
	AI_STMT_COUNT
};

extern const struct astral_stmt ai_stmts[AI_STMT_COUNT];

astral_err ai_exec(struct astral_request *req, enum ai_stmt s, const struct astral_params *p, PGresult **res)
	ASTRAL_MUST_USE;

/* Limits of the contract. */
#define AI_MESSAGE_MAX 2000          /* a companion message, characters */
#define AI_HISTORY_SHOWN 200         /* messages GET /api/ai/history returns */
#define AI_HISTORY_SENT 20           /* earlier messages sent with a companion message, at most */
/* Bytes of conversation text sent with a companion call (earlier messages and this one, as
   scrubbed), the oldest dropped first: about 4,000 tokens of English, so that with the prompt
   and a reply it fits the 8k-token context of a small local model (docs/ai.md). */
#define AI_CONTEXT_BYTES 16000
#define AI_REPLY_MAX 4000            /* a companion reply, characters */
#define AI_DRAFT_MAX 5000
#define AI_POST_SUMMARY_MAX 600
#define AI_SESSION_SUMMARY_MAX 1200
#define AI_FEEDBACK_MAX 1500
#define AI_REASON_MAX 200
#define AI_SUGGESTION_MAX 300
#define AI_SUGGESTIONS 3
#define AI_MATCH_CANDIDATES 30

/* ------------------------------------------------------------ the process (runtime.c) */

/* The system prompts, one per action, read from [ai] prompt_dir at start-up. */
enum ai_prompt {
	AI_PROMPT_COMPANION, AI_PROMPT_DRAFT_POST, AI_PROMPT_SUMMARIZE_POST, AI_PROMPT_SUMMARIZE_SESSION,
	AI_PROMPT_GUIDANCE, AI_PROMPT_MATCH, AI_PROMPT_HELPER_FEEDBACK, AI_PROMPT_COUNT
};

/* The program's start-up hook: libcurl, the provider, the prompts. */
astral_err ai_runtime_init(struct astral_app *app) ASTRAL_MUST_USE;
struct ai_provider *ai_runtime_provider(void);
const char *ai_runtime_prompt(enum ai_prompt prompt);
/* provider != none. */
int ai_runtime_configured(const struct astral_app *app);

/* ------------------------------------------------------------ quotas (quota.c) */

enum ai_action { AI_ACTION_CHAT, AI_ACTION_DRAFT_POST, AI_ACTION_SUMMARIZE, AI_ACTION_GUIDANCE, AI_ACTION_MATCH,
	AI_ACTION_FEEDBACK, AI_ACTION_COUNT };

const char *ai_action_name(enum ai_action a);   /* "chat", "draft_post", ... (the SQL's names) */
long long ai_action_limit(const struct astral_app *app, enum ai_action a);
/* 1 when a provider is configured; otherwise answers 503 ai_unavailable and returns 0. */
int ai_require_provider(struct astral_request *req);
/* The common gate of every model route: 503 when no provider, 403 when the action is off (limit
   0), 429 with Retry-After when today's use is spent; otherwise one use is taken (in the
   request's transaction) and 1 is returned. Answers the error itself and returns 0. */
int ai_gate(struct astral_request *req, enum ai_action a);
/* ai_gate's parts, for a handler that takes its use of the quota in a read of its own
   (companion.c): 1 when the action is on, else 403 ai_action_off; and the 429 with Retry-After. */
int ai_action_on(struct astral_request *req, enum ai_action a);
void ai_refuse_quota(struct astral_request *req);
/* Seconds until the next UTC midnight. */
long long ai_seconds_to_midnight(long long now);

/* ------------------------------------------------------------ what leaves the host (scrub.c) */

/* A copy of `text` without the caller's username and display name (→ "[name]"), e-mail addresses
   and phone-like numbers (→ "[contact]"); NULL on NOMEM. */
char *ai_scrub(const struct astral_request *req, const char *text);
/* The usernames and display names of the other people a text may name: a help session's
   participants (ai_session_names), for what is sent about the session. */
#define AI_NAMES_MAX 4
struct ai_names {
	size_t n;
	char *name[AI_NAMES_MAX];     /* malloc'd */
};
void ai_names_free(struct ai_names *names);
/* ai_scrub, taking out `others`' names (NULL: none) as well as the caller's. */
char *ai_scrub_names(const struct astral_request *req, const char *text, const struct ai_names *others);

/* ------------------------------------------------------------ crisis screening (safety.c) */

/* The fixed supportive reply sent instead of the model's when crisis content is found, and the
   fallback when the provider fails: never empty. */
extern const char ai_crisis_reply[];
extern const char ai_fallback_reply[];
/* Raise an alert (source ai) about the caller and count the referral for the operator. */
void ai_crisis_raise(struct astral_request *req, const struct astral_crisis_result *r, enum ai_action a,
                     const char *source_id);

/* ------------------------------------------------------------ one call (ask.c) */

/* Close the request's transaction before a model call (a call may take timeout_ms: no snapshot
   or lock is held meanwhile) and open a new one after it with the same identity. */
astral_err ai_pause_transaction(struct astral_request *req) ASTRAL_MUST_USE;
astral_err ai_resume_transaction(struct astral_request *req) ASTRAL_MUST_USE;
/* Ask the model once for `prompt` with one user turn (already scrubbed by the caller): *out is
   the reply text when the call succeeded with some text, else NULL (the caller answers with its
   fallback). The transaction is paused around the call; an error means it could not be resumed
   (answer it). */
astral_err ai_ask_text(struct astral_request *req, enum ai_prompt prompt, const char *user_text, int json_reply,
                       char **out) ASTRAL_MUST_USE;

/* ------------------------------------------------------------ model output (output.c) */

/* The text trimmed, without control characters (newline and tab kept), cut to max_chars
   characters; NULL when empty or not UTF-8 (or NOMEM). Malloc'd. */
char *ai_output_text(const char *raw, size_t max_chars);
/* The characters ai_output_text would keep of a text (before its cut), counted piece by piece
   as a reply streams in: a streamed reply is held to the same limit as a whole one. Starts
   zeroed; `kept` is the count so far, white space at the end not yet counted. */
struct ai_output_count {
	size_t kept;
	size_t pending;           /* white space after the last character counted */
	int started;              /* a byte other than leading white space was seen */
};
void ai_output_count_add(struct ai_output_count *n, const char *piece, size_t len);
/* The one JSON object in `raw` (a fence or words around it ignored), or NULL. */
struct json_object *ai_output_json(const char *raw);

/* ------------------------------------------------------------ age (status.c) */

/* 1 when the caller said they are 18 or over; otherwise answers 403 (or the error) and returns 0. */
int ai_require_adult(struct astral_request *req);
/* The same for an answer already read (1 adult, 0 not, -1 never asked): 403 unless adult. */
int ai_adult_or_refuse(struct astral_request *req, int adult);

/* ------------------------------------------------------------ history (history.c) */

struct ai_message {
	char id[37];
	const char *role;             /* "user" | "ai" */
	char *text;                   /* opened, malloc'd */
	int fallback;
	long long created_at;
};
/* The caller's data key, loaded once for a request's reads and writes of the conversation. */
struct ai_conversation {
	unsigned char dek[ASTRAL_DEK_LEN];
	int open;
};
astral_err ai_conversation_open(struct astral_request *req, struct ai_conversation *c) ASTRAL_MUST_USE;
void ai_conversation_close(struct ai_conversation *c);    /* wipes the key */
/* The caller's last `n` messages, oldest first (texts opened); *count set. */
astral_err ai_history_load(struct astral_request *req, const struct ai_conversation *c, int n,
                           struct ai_message **out, size_t *count) ASTRAL_MUST_USE;
void ai_history_free(struct ai_message *m, size_t count);
/* The messages in `res`, newest first there, as AI_HISTORY_RECENT gives them from column `col`
   on (id, role, body, fallback, created_at); a row whose id is NULL holds none. Oldest first. */
astral_err ai_history_from_rows(const struct ai_conversation *c, const PGresult *res, int col,
                                struct ai_message **out, size_t *count) ASTRAL_MUST_USE;
/* Seal and queue one message of the caller (id made here, returned in m->id). */
astral_err ai_history_append(struct astral_request *req, const struct ai_conversation *c, struct ai_message *m,
                             const char *severity) ASTRAL_MUST_USE;
struct json_object *ai_message_json(const struct ai_message *m);

/* ------------------------------------------------------------ a companion message's opening (chat_open.c) */

/* What ai_chat needs before it asks the model, read in one round trip: the age answer (1, 0, -1
   never asked); whether one use of today's chat quota was taken (asked for with `take_quota`,
   taken only from an adult under the limit); and, for an adult, the conversation key and the last
   AI_HISTORY_SENT messages, oldest first. The caller answers any refusal. */
struct ai_chat_opening {
	int adult;
	int quota_taken;
	struct ai_conversation conversation;
	struct ai_message *history;
	size_t nhistory;
};
astral_err ai_chat_open(struct astral_request *req, int take_quota, struct ai_chat_opening *o) ASTRAL_MUST_USE;
void ai_chat_opening_free(struct ai_chat_opening *o);    /* wipes the key, frees the history */

/* ------------------------------------------------------------ transcripts (transcript.c) */

/* The session's messages (the last 200) as "Seeker: ..." / "Helper: ..." lines, oldest first;
   each scrubbed of both participants' names (ai_session_names). NOT_FOUND when the caller is not
   a participant or there is no message. */
astral_err ai_session_transcript(struct astral_request *req, const char *session_id, char **out) ASTRAL_MUST_USE;
/* The usernames and display names of the session's seeker and helper, for a participant's
   scrub (what is sent holds the other person's words, and they did not ask for the model). None
   when the caller is not a participant. *out is emptied first; free it with ai_names_free. */
astral_err ai_session_names(struct astral_request *req, const char *session_id, struct ai_names *out)
	ASTRAL_MUST_USE;
/* The companion conversation (the last AI_HISTORY_SENT messages) as "Person:"/"AI:" lines, the
   newest within AI_CONTEXT_BYTES (ai_context_keep_newest), and the person's own words in all of
   them alone in paragraphs ("" when they wrote nothing yet); each message scrubbed, from one read. */
astral_err ai_companion_transcript(struct astral_request *req, char **conversation, char **own) ASTRAL_MUST_USE;

/* ------------------------------------------------------------ what goes with a call (context.c) */

/* Keep the newest of the k turns (texts malloc'd) within AI_CONTEXT_BYTES of text, the last one
   always: a model turn left first goes too, so that what is sent starts with the person. The
   dropped texts are freed and the kept turns moved to the front; the number kept. */
size_t ai_context_keep_newest(struct ai_turn *t, size_t k);

/* ------------------------------------------------------------ handlers and inputs */

extern const struct astral_input_spec ai_age_input;
extern const struct astral_input_spec ai_chat_input;
extern const struct astral_input_spec ai_post_input;
extern const struct astral_input_spec ai_session_input;
extern const struct astral_input_spec ai_guidance_input;

void ai_status(struct astral_request *req, const void *input);
void ai_age_confirm(struct astral_request *req, const void *input);
void ai_chat(struct astral_request *req, const void *input);
void ai_history_get(struct astral_request *req, const void *input);
void ai_history_delete(struct astral_request *req, const void *input);
void ai_draft_post(struct astral_request *req, const void *input);
void ai_summarize_post(struct astral_request *req, const void *input);
void ai_summarize_session(struct astral_request *req, const void *input);
void ai_guidance(struct astral_request *req, const void *input);
void ai_helper_feedback(struct astral_request *req, const void *input);
void ai_match(struct astral_request *req, const void *input);

/* Audit one AI action about `subject` (NULL: the caller). */
void ai_audit(struct astral_request *req, const char *action, const char *object_type, const char *object_id,
              const char *subject_id, const char *detail);

#endif
