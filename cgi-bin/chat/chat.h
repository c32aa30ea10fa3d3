/*
 * cgi-bin/chat: help sessions, their messages and the real-time hand-off. Handlers are grouped
 * by concern: sessions.c (list, detail), message_history.c (read history), message_send.c
 * (send), send_memo.c (what a sender's next sends need, per process), message_crypto.c (sealing
 * and opening bodies), signals.c (typing, read marks), session_outcome.c (end, feedback, kudos,
 * favourite), emergency.c, connect.c (GET /api/rt/connect). session_access.c loads the caller's
 * view of one session for the object checks; respond.c builds the JSON; chat_audit.c writes audit
 * rows; statements.c holds every SQL statement of the program.
 */
#ifndef ASTRAL_CHAT_H
#define ASTRAL_CHAT_H

#include <stdint.h>

#include "audit.h"
#include "crisis.h"
#include "crypt.h"
#include "db.h"
#include "http.h"
#include "input.h"
#include "router.h"

enum chat_stmt {
	CHAT_SESSION_ACCESS,
	CHAT_SESSION_OPEN,
	CHAT_SESSION_OPEN_TO_SEND,
	CHAT_SESSION_GET,
	CHAT_SESSION_LIST,
	CHAT_MESSAGE_SEQ,
	CHAT_MESSAGES_AFTER,
	CHAT_MESSAGES_BEFORE,
	CHAT_MESSAGES_LATEST,
	CHAT_SEND_LOCK,
	CHAT_MESSAGE_INSERT,
	CHAT_MESSAGE_BY_KEY,
	CHAT_READ_SET,
	CHAT_SESSION_END,
	CHAT_TYPING_NOTE,
	CHAT_FEEDBACK_SET,
	CHAT_KUDOS_SET,
	CHAT_FAVORITE_SET,
	CHAT_STMT_COUNT
};

extern const struct astral_stmt chat_stmts[CHAT_STMT_COUNT];

/* Run one of this program's statements. */
astral_err chat_exec(struct astral_request *req, enum chat_stmt s, const struct astral_params *p,
                     PGresult **res) ASTRAL_MUST_USE;
/* chat_exec, then COMMIT in the same round trip (astral_db_exec_commit): the request's transaction
   is over once it returns. */
astral_err chat_exec_commit(struct astral_request *req, enum chat_stmt s, const struct astral_params *p,
                            PGresult **res) ASTRAL_MUST_USE;
/* chat_exec_commit, committed with the sends of other threads that arrive meanwhile when nothing
   of the transaction was sent yet (astral_db_exec_commit_shared: a remembered send). */
astral_err chat_exec_commit_shared(struct astral_request *req, enum chat_stmt s, const struct astral_params *p,
                                   PGresult **res) ASTRAL_MUST_USE;

/* Column positions of CHAT_SESSION_GET and CHAT_SESSION_LIST (the HelpSession object). */
enum chat_session_col {
	CHAT_SC_ID, CHAT_SC_POST_ID, CHAT_SC_EXCERPT, CHAT_SC_CATEGORY, CHAT_SC_MY_ROLE, CHAT_SC_HELPER_ID,
	CHAT_SC_HELPER_NAME, CHAT_SC_REPUTATION, CHAT_SC_STARTED_AT, CHAT_SC_ENDED_AT, CHAT_SC_ENDED_BY,
	CHAT_SC_UNREAD, CHAT_SC_LAST_MESSAGE_AT, CHAT_SC_KUDOS_GIVEN, CHAT_SC_FAVORITE, CHAT_SC_HELPFUL,
	CHAT_SC_STARTED_US, CHAT_SC_OTHER_TYPED_AT
};

/* Column positions of the message statements (AFTER, BEFORE, LATEST, BY_KEY). */
enum chat_message_col {
	CHAT_MC_ID, CHAT_MC_SEQ, CHAT_MC_SENDER_ROLE, CHAT_MC_BODY, CHAT_MC_CLIENT_KEY, CHAT_MC_CRISIS,
	CHAT_MC_CREATED_AT
};

/* The caller's view of one session, for the object checks of every handler. */
struct chat_session {
	char id[37];
	char seeker_id[37];
	char helper_id[37];          /* "" once the helper deleted the account */
	char my_role[8];             /* "seeker" or "helper" */
	int ended;
	long long seeker_read_seq, helper_read_seq;
	int feedback_given, kudos_given;
};

/* Load the session `id` as the caller sees it. NOT_FOUND when it does not exist or the caller
   is not one of its participants (foreign ids answer 404, never 403). */
astral_err chat_session_access(struct astral_request *req, const char *id, struct chat_session *out) ASTRAL_MUST_USE;
/* chat_session_access and the session's conversation key, for reading or writing message text.
   The caller cleanses dek when done (only when ASTRAL_OK). */
astral_err chat_session_open(struct astral_request *req, const char *id, struct chat_session *out,
                             unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* chat_session_open for a send: also holds the conversation's send lock until the transaction
   ends, so sends to one conversation commit in the order of their seq (statements.c). */
astral_err chat_session_open_to_send(struct astral_request *req, const char *id, struct chat_session *out,
                                     unsigned char dek[ASTRAL_DEK_LEN]) ASTRAL_MUST_USE;
/* A participant's side and conversation key, remembered per process for their next sends
   (send_memo.c): recall answers 1 and fills both when remembered for (session, user) and used
   within CHAT_SEND_MEMO_SECONDS; keep remembers them after the database gave them; forget drops
   them (the session is gone). */
#define CHAT_SEND_MEMO_SLOTS 1024
#define CHAT_SEND_MEMO_SECONDS 600
int chat_send_memo_recall(const char *session_id, const char *user_id, int64_t now, char my_role[8],
                          unsigned char dek[ASTRAL_DEK_LEN]);
void chat_send_memo_keep(const char *session_id, const char *user_id, int64_t now, const char *my_role,
                         const unsigned char dek[ASTRAL_DEK_LEN]);
void chat_send_memo_forget(const char *session_id, const char *user_id);

/* Copy a column's text into a fixed buffer, "" for NULL (truncated to fit). */
void chat_copy_value(char *dst, size_t len, const char *src);
/* The other participant's user id, or NULL (a helper who deleted the account). */
const char *chat_session_other(const struct chat_session *s);
/* "seeker" → "helper" and back. */
const char *chat_other_role(const char *role);
/* The last message seq the given role has read. */
long long chat_read_seq_of(const struct chat_session *s, const char *role);

/* One message, decrypted, as the viewer sees it. */
struct chat_message {
	const char *id;
	long long seq;
	const char *sender_role;
	const char *text;
	const char *client_key;
	const char *crisis_severity;     /* none|low|medium|high */
	int64_t created_at;
};

/* Read row `row` of a message result and open its body with the session key. *text_out is
   malloc'd (the caller frees it); m->text points to it. */
astral_err chat_message_from_row(const PGresult *res, int row, const unsigned char dek[ASTRAL_DEK_LEN],
                                 struct chat_message *m, char **text_out) ASTRAL_MUST_USE;

/* Seal a message body with the session key (AAD messages|body|<message id>). */
astral_err chat_message_seal(const unsigned char dek[ASTRAL_DEK_LEN], const char *message_id, const char *text,
                             unsigned char **out, size_t *outlen) ASTRAL_MUST_USE;

/* How long "… is typing" holds after the other participant last typed, with polling (the UI
   sends typing at most every 3 s and shows it for 6: htdocs/js/views/chat.js). */
#define CHAT_TYPING_FRESH_SECONDS 6

/* JSON builders (respond.c). `now` is the request's clock, for other_typing. */
struct json_object *chat_session_json(const PGresult *res, int row, int64_t now);
struct json_object *chat_message_json(const struct chat_session *s, const struct chat_message *m,
                                      const char *viewer_role);
/* An event object with `type` and `at`, and `session_id`. */
struct json_object *chat_event_new(struct astral_request *req, const char *type, const char *session_id);
/* Respond 200/201 with the HelpSession `id` as the caller sees it now. */
void chat_respond_session(struct astral_request *req, int status, const char *id);
/* 409 conflict with a message saying what happened. */
void chat_respond_conflict(struct astral_request *req, const char *message);

/* Append an audit row: the caller is the actor, `subject_id` whose data it is. */
void chat_audit(struct astral_request *req, const char *action, const char *session_id, const char *subject_id,
                const char *detail);

/* Handlers. */
void chat_sessions_list(struct astral_request *req, const void *input);
void chat_session_get(struct astral_request *req, const void *input);
void chat_messages_history(struct astral_request *req, const void *input);
void chat_message_send(struct astral_request *req, const void *input);
void chat_typing(struct astral_request *req, const void *input);
void chat_read(struct astral_request *req, const void *input);
void chat_session_end(struct astral_request *req, const void *input);
void chat_feedback(struct astral_request *req, const void *input);
void chat_kudos(struct astral_request *req, const void *input);
void chat_favorite_add(struct astral_request *req, const void *input);
void chat_favorite_remove(struct astral_request *req, const void *input);
void chat_emergency(struct astral_request *req, const void *input);
void chat_helper_alert(struct astral_request *req, const void *input);
void chat_rt_connect(struct astral_request *req, const void *input);

/* Input declarations (defined beside their handlers, referenced by the route table). */
extern const struct astral_input_spec chat_sessions_list_input, chat_messages_history_input,
	chat_message_send_input, chat_read_input, chat_feedback_input, chat_emergency_input, chat_rt_connect_input;

#endif
