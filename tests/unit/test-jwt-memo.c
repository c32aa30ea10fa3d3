/* Remembered token verification: a repeat is answered from memory with the same claims, the time
   rules still hold on a repeat, and nothing but a verified (key, iss, aud, token) is ever answered
   from memory. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/jwt.h"
#include "../../lib/jwt_memo.h"

#define NOW INT64_C(1700000000)
#define ISS "astral-core"
#define AUD "astral-core"

static const unsigned char key[] = "0123456789abcdef0123456789abcdef-memo-key";
#define KEYLEN (sizeof(key) - 1)
static const unsigned char other_key[] = "fedcba9876543210fedcba9876543210-other-key";
#define OTHER_KEYLEN (sizeof(other_key) - 1)

static char *
issue(const char *sub, const char *role, int64_t iat, int64_t exp)
{
	struct astral_claims c;
	char *token = NULL;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", sub);
	snprintf(c.sid, sizeof(c.sid), "%s", "0a1b2c3d-4e5f-4061-9273-84a5b6c7d8e9");
	snprintf(c.role, sizeof(c.role), "%s", role);
	c.mfa = 1;
	c.iat = iat;
	c.exp = exp;
	assert_int_equal(astral_jwt_issue(key, KEYLEN, ISS, AUD, &c, &token), ASTRAL_OK);
	return token;
}

static int
forget(void **state)
{
	(void)state;
	astral_jwt_memo_forget();
	return 0;
}

static void
test_repeat_answers_from_memory_with_the_same_claims(void **state)
{
	char *token = issue("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "moderator", NOW, NOW + 900);
	struct astral_claims first, again;
	unsigned long hits = astral_jwt_memo_hits();

	(void)state;
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW, &first), ASTRAL_OK);
	assert_int_equal(astral_jwt_memo_hits(), hits);
	memset(&again, 0x5a, sizeof(again));
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW + 10, &again), ASTRAL_OK);
	assert_int_equal(astral_jwt_memo_hits(), hits + 1);
	assert_string_equal(again.sub, "6f1c2d3e-4a5b-4c6d-8e7f-901234567890");
	assert_string_equal(again.role, "moderator");
	assert_int_equal(again.mfa, 1);
	assert_int_equal(again.exp, NOW + 900);
	assert_memory_equal(&first, &again, sizeof(first));
	free(token);
}

static void
test_time_rules_hold_on_a_repeat(void **state)
{
	char *token = issue("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "seeker", NOW, NOW + 900);
	struct astral_claims out;
	unsigned long hits;

	(void)state;
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW, &out), ASTRAL_OK);
	hits = astral_jwt_memo_hits();
	/* Past exp and the skew: expired, exactly as a first sight would say. */
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW + 900 + ASTRAL_JWT_SKEW, &out),
	                 ASTRAL_ERR_EXPIRED);
	assert_int_equal(astral_jwt_verify(key, KEYLEN, ISS, AUD, token, NOW + 900 + ASTRAL_JWT_SKEW, &out),
	                 ASTRAL_ERR_EXPIRED);
	/* A clock set back before iat - skew: not yet valid. */
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW - ASTRAL_JWT_SKEW - 1, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	/* And still good inside its life. */
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW + 899, &out), ASTRAL_OK);
	assert_int_equal(astral_jwt_memo_hits(), hits + 1);
	free(token);
}

static void
test_other_key_issuer_or_audience_is_verified_in_full(void **state)
{
	char *token = issue("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "admin", NOW, NOW + 900);
	struct astral_claims out;
	unsigned long hits;

	(void)state;
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW, &out), ASTRAL_OK);
	hits = astral_jwt_memo_hits();
	assert_int_equal(astral_jwt_verify_remembered(other_key, OTHER_KEYLEN, ISS, AUD, token, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, "someone-else", AUD, token, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, "other-aud", token, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	/* The key is part of what is remembered: a shorter key that is a prefix of it is another key. */
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN - 1, ISS, AUD, token, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_memo_hits(), hits);
	free(token);
}

static void
test_a_changed_token_is_never_answered_from_memory(void **state)
{
	char *token = issue("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "helper", NOW, NOW + 900);
	size_t len = strlen(token);
	struct astral_claims out;
	unsigned long hits;
	char *changed = strdup(token);
	char *longer = malloc(len + 2);

	(void)state;
	assert_non_null(changed);
	assert_non_null(longer);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW, &out), ASTRAL_OK);
	hits = astral_jwt_memo_hits();
	/* The last signature character changed, and the token with a character added. */
	changed[len - 1] = changed[len - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, changed, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	memcpy(longer, token, len);
	longer[len] = 'A';
	longer[len + 1] = '\0';
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, longer, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_memo_hits(), hits);
	free(longer);
	free(changed);
	free(token);
}

static void
test_a_refused_token_is_never_remembered(void **state)
{
	char *token = issue("6f1c2d3e-4a5b-4c6d-8e7f-901234567890", "seeker", NOW, NOW + 900);
	struct astral_claims out;
	unsigned long hits = astral_jwt_memo_hits();

	(void)state;
	/* First seen when already expired: refused, and not remembered, so a clock set back later
	   still has to verify it in full (and the answer is the full verification's). */
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW + 2000, &out),
	                 ASTRAL_ERR_EXPIRED);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, token, NOW + 2000, &out),
	                 ASTRAL_ERR_EXPIRED);
	assert_int_equal(astral_jwt_memo_hits(), hits);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, "a.b.c", NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, "a.b.c", NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_jwt_memo_hits(), hits);
	free(token);
}

static void
test_many_people_each_keep_their_own_claims(void **state)
{
	enum { PEOPLE = ASTRAL_JWT_MEMO_SLOTS * 2 };
	static char *tokens[PEOPLE];
	char sub[37];
	struct astral_claims out;
	int i, round;

	(void)state;
	for (i = 0; i < PEOPLE; i++) {
		snprintf(sub, sizeof(sub), "6f1c2d3e-4a5b-4c6d-8e7f-%012d", i);
		tokens[i] = issue(sub, i % 2 ? "seeker" : "helper", NOW, NOW + 900);
	}
	/* Twice round more people than there are slots: every answer is that person's own. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < PEOPLE; i++) {
			snprintf(sub, sizeof(sub), "6f1c2d3e-4a5b-4c6d-8e7f-%012d", i);
			assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, tokens[i], NOW, &out),
			                 ASTRAL_OK);
			assert_string_equal(out.sub, sub);
			assert_string_equal(out.role, i % 2 ? "seeker" : "helper");
		}
	}
	for (i = 0; i < PEOPLE; i++)
		free(tokens[i]);
}

static void
test_bad_arguments_answer_as_verify_does(void **state)
{
	struct astral_claims out;

	(void)state;
	assert_int_equal(astral_jwt_verify_remembered(key, 31, ISS, AUD, "a.b.c", NOW, &out), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, NULL, "a.b.c", NOW, &out), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, "a.b.c", NOW, NULL), ASTRAL_ERR_INTERNAL);
	assert_int_equal(astral_jwt_verify_remembered(key, KEYLEN, ISS, AUD, NULL, NOW, &out),
	                 ASTRAL_ERR_UNAUTHORIZED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_repeat_answers_from_memory_with_the_same_claims, forget),
		cmocka_unit_test_setup(test_time_rules_hold_on_a_repeat, forget),
		cmocka_unit_test_setup(test_other_key_issuer_or_audience_is_verified_in_full, forget),
		cmocka_unit_test_setup(test_a_changed_token_is_never_answered_from_memory, forget),
		cmocka_unit_test_setup(test_a_refused_token_is_never_remembered, forget),
		cmocka_unit_test_setup(test_many_people_each_keep_their_own_claims, forget),
		cmocka_unit_test_setup(test_bad_arguments_answer_as_verify_does, forget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
