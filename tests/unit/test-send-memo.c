/*
 * cgi-bin/chat/send_memo.c: what a worker remembers of a sender's conversation (their side and the
 * conversation key) so that their next sends are one round trip. Times are given, not read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "chat.h"

#define T0 ((int64_t)1800000000)
#define SESSION "5b7c1c0e-2a4f-4b0e-9a51-0c1d2e3f4a5b"
#define SEEKER "0f0e0d0c-0b0a-4908-8706-050403020100"
#define HELPER "a1a2a3a4-b1b2-4c1c-8d1d-e1e2e3e4e5e6"

static void
key_of(unsigned char dek[ASTRAL_DEK_LEN], unsigned char seed)
{
	for (size_t i = 0; i < ASTRAL_DEK_LEN; i++)
		dek[i] = (unsigned char)(seed + i);
}

static void
test_a_kept_sender_is_recalled_with_their_side_and_key(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char role[8] = "";

	(void)state;
	key_of(dek, 7);
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0, role, got));
	chat_send_memo_keep(SESSION, SEEKER, T0, "seeker", dek);
	assert_true(chat_send_memo_recall(SESSION, SEEKER, T0 + 1, role, got));
	assert_string_equal(role, "seeker");
	assert_memory_equal(got, dek, ASTRAL_DEK_LEN);
	chat_send_memo_forget(SESSION, SEEKER);
}

static void
test_another_participant_or_session_is_not_recalled(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char role[8] = "";

	(void)state;
	key_of(dek, 1);
	chat_send_memo_keep(SESSION, SEEKER, T0, "seeker", dek);
	assert_false(chat_send_memo_recall(SESSION, HELPER, T0, role, got));
	assert_false(chat_send_memo_recall(HELPER, SEEKER, T0, role, got));
	chat_send_memo_keep(SESSION, HELPER, T0, "helper", dek);
	assert_true(chat_send_memo_recall(SESSION, HELPER, T0, role, got));
	assert_string_equal(role, "helper");
	assert_true(chat_send_memo_recall(SESSION, SEEKER, T0, role, got));
	assert_string_equal(role, "seeker");
	chat_send_memo_forget(SESSION, SEEKER);
	chat_send_memo_forget(SESSION, HELPER);
}

static void
test_an_entry_unused_for_too_long_is_forgotten(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char role[8] = "";

	(void)state;
	key_of(dek, 2);
	chat_send_memo_keep(SESSION, SEEKER, T0, "seeker", dek);
	/* Each use moves its time: used every 9 minutes it stays. */
	assert_true(chat_send_memo_recall(SESSION, SEEKER, T0 + CHAT_SEND_MEMO_SECONDS - 60, role, got));
	assert_true(chat_send_memo_recall(SESSION, SEEKER, T0 + 2 * CHAT_SEND_MEMO_SECONDS - 120, role, got));
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0 + 3 * CHAT_SEND_MEMO_SECONDS, role, got));
	/* Gone, not just skipped: even the time it was last used does not find it. */
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0 + 2 * CHAT_SEND_MEMO_SECONDS - 120, role, got));
}

static void
test_a_clock_set_back_forgets(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char role[8] = "";

	(void)state;
	key_of(dek, 3);
	chat_send_memo_keep(SESSION, SEEKER, T0, "seeker", dek);
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0 - 1, role, got));
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0, role, got));
}

static void
test_forget_drops_only_that_participant(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char role[8] = "";

	(void)state;
	key_of(dek, 4);
	chat_send_memo_keep(SESSION, SEEKER, T0, "seeker", dek);
	chat_send_memo_keep(SESSION, HELPER, T0, "helper", dek);
	chat_send_memo_forget(SESSION, SEEKER);
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0, role, got));
	/* (The helper may share the seeker's slot; then keeping the helper replaced the seeker.) */
	chat_send_memo_forget(SESSION, HELPER);
	assert_false(chat_send_memo_recall(SESSION, HELPER, T0, role, got));
}

static void
test_a_newer_sender_takes_a_slot_and_the_memory_stays_bounded(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char session[37], role[8] = "";
	int remembered = 0;

	(void)state;
	key_of(dek, 5);
	for (int i = 0; i < 4 * CHAT_SEND_MEMO_SLOTS; i++) {
		snprintf(session, sizeof(session), "00000000-0000-4000-8000-%012d", i);
		chat_send_memo_keep(session, SEEKER, T0, "seeker", dek);
		assert_true(chat_send_memo_recall(session, SEEKER, T0, role, got));   /* the newest always */
	}
	for (int i = 0; i < 4 * CHAT_SEND_MEMO_SLOTS; i++) {
		snprintf(session, sizeof(session), "00000000-0000-4000-8000-%012d", i);
		remembered += chat_send_memo_recall(session, SEEKER, T0, role, got);
	}
	assert_true(remembered <= CHAT_SEND_MEMO_SLOTS);
	assert_true(remembered > CHAT_SEND_MEMO_SLOTS / 2);
}

static void
test_ids_too_long_are_not_kept(void **state)
{
	unsigned char dek[ASTRAL_DEK_LEN], got[ASTRAL_DEK_LEN];
	char role[8] = "";
	const char *long_id = SESSION "-and-more";

	(void)state;
	key_of(dek, 6);
	chat_send_memo_keep(long_id, SEEKER, T0, "seeker", dek);
	assert_false(chat_send_memo_recall(long_id, SEEKER, T0, role, got));
	chat_send_memo_keep(SESSION, SEEKER, T0, "moderator", dek);          /* not a side */
	assert_false(chat_send_memo_recall(SESSION, SEEKER, T0, role, got));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_kept_sender_is_recalled_with_their_side_and_key),
		cmocka_unit_test(test_another_participant_or_session_is_not_recalled),
		cmocka_unit_test(test_an_entry_unused_for_too_long_is_forgotten),
		cmocka_unit_test(test_a_clock_set_back_forgets),
		cmocka_unit_test(test_forget_drops_only_that_participant),
		cmocka_unit_test(test_a_newer_sender_takes_a_slot_and_the_memory_stays_bounded),
		cmocka_unit_test(test_ids_too_long_are_not_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
