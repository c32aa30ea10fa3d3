/*
 * cgi-bin/ai/breaker.c: the circuit breaker shared by the AI program's workers. Two breakers
 * opened on one file stand for two workers; times are given, not read, so nothing sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "breaker.h"

#define FAILURES 3
#define COOLDOWN_MS 30000
#define TRIAL_MS 5000
#define T0 ((int64_t)1800000000000)   /* ms since the epoch */

struct fixture {
	char dir[64], path[96];
	struct ai_breaker *one, *two;    /* two workers on the same file */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-ai-breaker.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/breaker", f->dir);
	assert_int_equal(ai_breaker_open(f->path, FAILURES, COOLDOWN_MS, TRIAL_MS, &f->one), ASTRAL_OK);
	assert_int_equal(ai_breaker_open(f->path, FAILURES, COOLDOWN_MS, TRIAL_MS, &f->two), ASTRAL_OK);
	assert_true(ai_breaker_shared(f->one));
	assert_true(ai_breaker_shared(f->two));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	ai_breaker_close(f->one);
	ai_breaker_close(f->two);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
fail_calls(struct ai_breaker *b, int n, int64_t at)
{
	for (int i = 0; i < n; i++) {
		assert_int_equal(ai_breaker_admit(b, at), AI_BREAKER_ADMIT_CALL);
		ai_breaker_record(b, 0, 0, at);
	}
}

/* Failures add up across workers: two on one and one on the other open it for both. */
static void
test_failures_count_across_workers(void **state)
{
	struct fixture *f = *state;

	fail_calls(f->one, 2, T0);
	assert_false(ai_breaker_is_open(f->two, T0));
	fail_calls(f->two, 1, T0 + 10);
	assert_true(ai_breaker_is_open(f->one, T0 + 20));
	assert_int_equal(ai_breaker_admit(f->one, T0 + 20), AI_BREAKER_ADMIT_REFUSE);
	assert_int_equal(ai_breaker_admit(f->two, T0 + COOLDOWN_MS), AI_BREAKER_ADMIT_REFUSE);
}

/* A success in between starts the count again. */
static void
test_a_success_resets_the_count(void **state)
{
	struct fixture *f = *state;

	fail_calls(f->one, FAILURES - 1, T0);
	assert_int_equal(ai_breaker_admit(f->two, T0), AI_BREAKER_ADMIT_CALL);
	ai_breaker_record(f->two, 1, 0, T0);
	fail_calls(f->one, FAILURES - 1, T0);
	assert_false(ai_breaker_is_open(f->one, T0));
	assert_int_equal(ai_breaker_admit(f->two, T0), AI_BREAKER_ADMIT_CALL);
}

/* After the cooldown exactly one worker gets the trial; its success closes the breaker for all. */
static void
test_one_trial_after_the_cooldown_and_its_success_closes(void **state)
{
	struct fixture *f = *state;
	int64_t after = T0 + 10 + COOLDOWN_MS;

	fail_calls(f->one, FAILURES, T0 + 10);
	assert_false(ai_breaker_is_open(f->two, after));
	assert_int_equal(ai_breaker_admit(f->two, after), AI_BREAKER_ADMIT_TRIAL);
	assert_true(ai_breaker_is_open(f->one, after));          /* others are refused during the trial */
	assert_int_equal(ai_breaker_admit(f->one, after), AI_BREAKER_ADMIT_REFUSE);
	assert_int_equal(ai_breaker_admit(f->two, after + 1), AI_BREAKER_ADMIT_REFUSE);
	ai_breaker_record(f->two, 1, 1, after + 100);
	assert_int_equal(ai_breaker_admit(f->one, after + 101), AI_BREAKER_ADMIT_CALL);
	assert_int_equal(ai_breaker_admit(f->two, after + 101), AI_BREAKER_ADMIT_CALL);
}

/* A failed trial opens it again for a whole cooldown. */
static void
test_a_failed_trial_opens_it_again(void **state)
{
	struct fixture *f = *state;
	int64_t after = T0 + COOLDOWN_MS;

	fail_calls(f->one, FAILURES, T0);
	assert_int_equal(ai_breaker_admit(f->one, after), AI_BREAKER_ADMIT_TRIAL);
	ai_breaker_record(f->one, 0, 1, after + 200);
	assert_true(ai_breaker_is_open(f->two, after + 200 + COOLDOWN_MS - 1));
	assert_int_equal(ai_breaker_admit(f->two, after + 200 + COOLDOWN_MS - 1), AI_BREAKER_ADMIT_REFUSE);
	assert_int_equal(ai_breaker_admit(f->two, after + 200 + COOLDOWN_MS), AI_BREAKER_ADMIT_TRIAL);
}

/* A trial whose worker never reports (it died) is taken over once trial_ms has passed. */
static void
test_an_unreported_trial_is_taken_over(void **state)
{
	struct fixture *f = *state;
	int64_t after = T0 + COOLDOWN_MS;

	fail_calls(f->one, FAILURES, T0);
	assert_int_equal(ai_breaker_admit(f->one, after), AI_BREAKER_ADMIT_TRIAL);
	assert_int_equal(ai_breaker_admit(f->two, after + TRIAL_MS - 1), AI_BREAKER_ADMIT_REFUSE);
	assert_int_equal(ai_breaker_admit(f->two, after + TRIAL_MS), AI_BREAKER_ADMIT_TRIAL);
}

/* Calls admitted before it opened and failing after do not stretch the cooldown. */
static void
test_late_failures_do_not_extend_the_cooldown(void **state)
{
	struct fixture *f = *state;

	fail_calls(f->one, FAILURES, T0);
	ai_breaker_record(f->two, 0, 0, T0 + 20000);      /* a call admitted before T0 */
	assert_int_equal(ai_breaker_admit(f->two, T0 + COOLDOWN_MS), AI_BREAKER_ADMIT_TRIAL);
}

/* An opening time further ahead than a cooldown (the clock was set back) counts as passed. */
static void
test_a_time_too_far_ahead_counts_as_passed(void **state)
{
	struct fixture *f = *state;

	fail_calls(f->one, FAILURES, T0);
	assert_false(ai_breaker_is_open(f->two, T0 - 1000));
	assert_int_equal(ai_breaker_admit(f->two, T0 - 1000), AI_BREAKER_ADMIT_TRIAL);
}

/* A new worker on the file sees the state the others left. */
static void
test_a_new_worker_sees_the_state(void **state)
{
	struct fixture *f = *state;
	struct ai_breaker *three;

	fail_calls(f->one, FAILURES, T0);
	assert_int_equal(ai_breaker_open(f->path, FAILURES, COOLDOWN_MS, TRIAL_MS, &three), ASTRAL_OK);
	assert_true(ai_breaker_is_open(three, T0 + 1));
	ai_breaker_close(three);
}

/* No file, a link, or a directory that is not there: the worker keeps its own breaker, which
   works the same for that worker alone. */
static void
test_without_the_file_a_worker_keeps_its_own(void **state)
{
	struct fixture *f = *state;
	char link[128], missing[128];
	struct ai_breaker *own, *linked, *lost;

	snprintf(link, sizeof(link), "%s/link", f->dir);
	snprintf(missing, sizeof(missing), "%s/none/breaker", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	assert_int_equal(ai_breaker_open(NULL, FAILURES, COOLDOWN_MS, TRIAL_MS, &own), ASTRAL_OK);
	assert_int_equal(ai_breaker_open(link, FAILURES, COOLDOWN_MS, TRIAL_MS, &linked), ASTRAL_OK);
	assert_int_equal(ai_breaker_open(missing, FAILURES, COOLDOWN_MS, TRIAL_MS, &lost), ASTRAL_OK);
	assert_false(ai_breaker_shared(own));
	assert_false(ai_breaker_shared(linked));
	assert_false(ai_breaker_shared(lost));
	fail_calls(own, FAILURES, T0);
	assert_true(ai_breaker_is_open(own, T0 + 1));
	assert_false(ai_breaker_is_open(f->one, T0 + 1));
	assert_false(ai_breaker_is_open(linked, T0 + 1));
	ai_breaker_close(own);
	ai_breaker_close(linked);
	ai_breaker_close(lost);
	unlink(link);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failures_count_across_workers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_success_resets_the_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_trial_after_the_cooldown_and_its_success_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failed_trial_opens_it_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_unreported_trial_is_taken_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_failures_do_not_extend_the_cooldown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_time_too_far_ahead_counts_as_passed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_new_worker_sees_the_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_the_file_a_worker_keeps_its_own, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
