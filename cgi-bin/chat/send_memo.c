/*
 * What a participant's sends to one conversation need to know before the insert, remembered per
 * worker: their side and the conversation key. Neither ever changes for a participant (a master
 * key rotation rewraps the key, never changes it), so a send that finds them here goes to the
 * database once: session check, send lock, insert and COMMIT in one pipeline. Everything that can
 * change (the session's end, who takes part, whether the session still exists) is still checked by
 * the insert itself; the memo only spares reading what cannot.
 *
 * The memo is the process's, whichever thread serves the send.
 *
 * Keys stay in memory no longer than they must: an entry not used for CHAT_SEND_MEMO_SECONDS is
 * cleansed at the next look-up of its slot, and one that is replaced or forgotten at once.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "chat.h"

struct memo_entry {
	int used;
	char session_id[37];
	char user_id[37];
	char my_role[8];
	unsigned char dek[ASTRAL_DEK_LEN];
	int64_t used_at;
};

/* Shared by the process's serving threads, under the lock. */
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct memo_entry memo[CHAT_SEND_MEMO_SLOTS];

/* FNV-1a over both ids: the slot of a (session, participant) pair. */
static struct memo_entry *
slot_for(const char *session_id, const char *user_id)
{
	uint32_t h = 2166136261u;

	for (const char *p = session_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ '|') * 16777619u;
	for (const char *p = user_id; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &memo[h % CHAT_SEND_MEMO_SLOTS];
}

static void
clear(struct memo_entry *e)
{
	OPENSSL_cleanse(e, sizeof(*e));
}

static int
matches(const struct memo_entry *e, const char *session_id, const char *user_id)
{
	return e->used && strcmp(e->session_id, session_id) == 0 && strcmp(e->user_id, user_id) == 0;
}

int
chat_send_memo_recall(const char *session_id, const char *user_id, int64_t now, char my_role[8],
                      unsigned char dek[ASTRAL_DEK_LEN])
{
	struct memo_entry *e = slot_for(session_id, user_id);
	int found;

	pthread_mutex_lock(&memo_lock);
	if (e->used && (now - e->used_at > CHAT_SEND_MEMO_SECONDS || now < e->used_at))
		clear(e);
	found = matches(e, session_id, user_id);
	if (found) {
		e->used_at = now;
		memcpy(my_role, e->my_role, sizeof(e->my_role));
		memcpy(dek, e->dek, ASTRAL_DEK_LEN);
	}
	pthread_mutex_unlock(&memo_lock);
	return found;
}

void
chat_send_memo_keep(const char *session_id, const char *user_id, int64_t now, const char *my_role,
                    const unsigned char dek[ASTRAL_DEK_LEN])
{
	struct memo_entry *e = slot_for(session_id, user_id);

	if (strlen(session_id) >= sizeof(e->session_id) || strlen(user_id) >= sizeof(e->user_id) ||
	    (strcmp(my_role, "seeker") != 0 && strcmp(my_role, "helper") != 0))
		return;
	pthread_mutex_lock(&memo_lock);
	clear(e);
	e->used = 1;
	snprintf(e->session_id, sizeof(e->session_id), "%s", session_id);
	snprintf(e->user_id, sizeof(e->user_id), "%s", user_id);
	snprintf(e->my_role, sizeof(e->my_role), "%s", my_role);
	memcpy(e->dek, dek, ASTRAL_DEK_LEN);
	e->used_at = now;
	pthread_mutex_unlock(&memo_lock);
}

void
chat_send_memo_forget(const char *session_id, const char *user_id)
{
	struct memo_entry *e = slot_for(session_id, user_id);

	pthread_mutex_lock(&memo_lock);
	if (matches(e, session_id, user_id))
		clear(e);
	pthread_mutex_unlock(&memo_lock);
}
