/* Audit chain: the canonical row and its hash (the same bytes the trigger in
   migrations/0027_audit_append_lighter.sql hashes), and the checks astral_audit_append makes before the
   database sees an event. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/audit.h"
#include "../../lib/log.h"

static const unsigned char zeros[ASTRAL_SHA256_LEN];

static void
hex_to_bytes(const char *hex, unsigned char out[ASTRAL_SHA256_LEN])
{
	assert_int_equal(strlen(hex), 2 * ASTRAL_SHA256_LEN);
	for (size_t i = 0; i < ASTRAL_SHA256_LEN; i++) {
		unsigned int v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (unsigned char)v;
	}
}

/* The row of the brief: id 1, system test on user, success, first in the chain. */
static struct astral_audit_row
known_row(void)
{
	struct astral_audit_row row;

	memset(&row, 0, sizeof(row));
	row.id = "1";
	row.occurred_us = "1795640031938980";
	row.actor_role = "system";
	row.action = "test";
	row.object_type = "user";
	row.outcome = "success";
	return row;
}

static void
test_audit_known_vector(void **state)
{
	/* canonical "1:1;16:1795640031938980;-;6:system;4:test;4:user;-;-;7:success;-;-;" */
	struct astral_audit_row row = known_row();
	unsigned char want[ASTRAL_SHA256_LEN], got[ASTRAL_SHA256_LEN];

	(void)state;
	hex_to_bytes("469a1c73f519bdf7760200a39a23290b31afad8ee6653b7aa5f810f729560259", want);
	assert_int_equal(astral_audit_row_hash(&row, zeros, got), ASTRAL_OK);
	assert_memory_equal(got, want, sizeof(want));
}

static void
test_audit_lengths_count_code_points(void **state)
{
	/* canonical "2:42;16:1795640031938980;36:0b7e2f8e-6a4d-4c3b-9a5e-1f2d3c4b5a69;5:admin;4:read;
	   7:message;3:été;-;7:success;5:r-1é✓;2:😀x;" with prev = bytes 0..31 */
	struct astral_audit_row row;
	unsigned char prev[ASTRAL_SHA256_LEN], want[ASTRAL_SHA256_LEN], got[ASTRAL_SHA256_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(prev); i++)
		prev[i] = (unsigned char)i;
	memset(&row, 0, sizeof(row));
	row.id = "42";
	row.occurred_us = "1795640031938980";
	row.actor_id = "0b7e2f8e-6a4d-4c3b-9a5e-1f2d3c4b5a69";
	row.actor_role = "admin";
	row.action = "read";
	row.object_type = "message";
	row.object_id = "\xc3\xa9t\xc3\xa9";                     /* été */
	row.outcome = "success";
	row.request_id = "r-1\xc3\xa9\xe2\x9c\x93";               /* r-1é✓ */
	row.detail = "\xf0\x9f\x98\x80x";                          /* 😀x */
	hex_to_bytes("953e0daa1b570008a9789a56b98466e2229df7430658406088d1c0dd11c8b24a", want);
	assert_int_equal(astral_audit_row_hash(&row, prev, got), ASTRAL_OK);
	assert_memory_equal(got, want, sizeof(want));
}

static void
test_audit_null_differs_from_empty(void **state)
{
	struct astral_audit_row row = known_row();
	unsigned char with_null[ASTRAL_SHA256_LEN], with_empty[ASTRAL_SHA256_LEN];

	(void)state;
	assert_int_equal(astral_audit_row_hash(&row, zeros, with_null), ASTRAL_OK);
	row.detail = "";
	assert_int_equal(astral_audit_row_hash(&row, zeros, with_empty), ASTRAL_OK);
	assert_memory_not_equal(with_null, with_empty, ASTRAL_SHA256_LEN);
}

static void
test_audit_prev_hash_is_chained(void **state)
{
	struct astral_audit_row row = known_row();
	unsigned char prev[ASTRAL_SHA256_LEN], a[ASTRAL_SHA256_LEN], b[ASTRAL_SHA256_LEN];

	(void)state;
	memset(prev, 0, sizeof(prev));
	assert_int_equal(astral_audit_row_hash(&row, prev, a), ASTRAL_OK);
	prev[31] = 1;
	assert_int_equal(astral_audit_row_hash(&row, prev, b), ASTRAL_OK);
	assert_memory_not_equal(a, b, ASTRAL_SHA256_LEN);
}

static void
test_audit_every_field_counts(void **state)
{
	struct astral_audit_row row = known_row();
	unsigned char base[ASTRAL_SHA256_LEN], got[ASTRAL_SHA256_LEN];
	const char **fields[] = { &row.id, &row.occurred_us, &row.actor_id, &row.actor_role, &row.action,
	                          &row.object_type, &row.object_id, &row.subject_id, &row.outcome,
	                          &row.request_id, &row.detail };

	(void)state;
	assert_int_equal(astral_audit_row_hash(&row, zeros, base), ASTRAL_OK);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *saved = *fields[i];

		*fields[i] = saved == NULL ? "x" : "tampered";
		assert_int_equal(astral_audit_row_hash(&row, zeros, got), ASTRAL_OK);
		assert_memory_not_equal(base, got, ASTRAL_SHA256_LEN);
		*fields[i] = saved;
	}
	/* Moving a field boundary changes the hash too: "ab","c" versus "a","bc". */
	row.object_id = "ab";
	row.request_id = "c";
	assert_int_equal(astral_audit_row_hash(&row, zeros, base), ASTRAL_OK);
	row.object_id = "a";
	row.request_id = "bc";
	assert_int_equal(astral_audit_row_hash(&row, zeros, got), ASTRAL_OK);
	assert_memory_not_equal(base, got, ASTRAL_SHA256_LEN);
}

static void
test_audit_bad_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",             /* overlong '/' */
		"\xe0\x80\xaf",         /* overlong, three bytes */
		"\xed\xa0\x80",         /* surrogate U+D800 */
		"\xe2\x82",             /* truncated */
		"\xf4\x90\x80\x80",     /* above U+10FFFF */
		"\x80",                 /* lone continuation byte */
		"ok\xff",
	};
	struct astral_audit_row row = known_row();
	unsigned char got[ASTRAL_SHA256_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		row.detail = bad[i];
		assert_int_equal(astral_audit_row_hash(&row, zeros, got), ASTRAL_ERR_INVALID);
	}
}

static void
test_audit_bad_null_arguments(void **state)
{
	struct astral_audit_row row = known_row();
	unsigned char got[ASTRAL_SHA256_LEN];

	(void)state;
	assert_int_equal(astral_audit_row_hash(NULL, zeros, got), ASTRAL_ERR_INVALID);
	assert_int_equal(astral_audit_row_hash(&row, NULL, got), ASTRAL_ERR_INVALID);
}

/* A handle whose database is unreachable: astral_audit_append reaches astral_db_exec only for a
   well-formed event, and that answers ASTRAL_ERR_INTERNAL outside a transaction. */
static int
open_unreachable(void **state)
{
	struct astral_db *db = NULL;
	astral_err err;

	err = astral_db_open("host=/nonexistent-astral-test-dir dbname=astral connect_timeout=1", NULL, 0,
	                     NULL, NULL, &db);
	assert_int_equal(err, ASTRAL_ERR_DB_DOWN);
	assert_non_null(db);
	*state = db;
	return 0;
}

static int
close_unreachable(void **state)
{
	astral_db_close(*state);
	return 0;
}

static struct astral_audit_event
good_event(void)
{
	struct astral_audit_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.actor_id = "0b7e2f8e-6a4d-4c3b-9a5e-1f2d3c4b5a69";
	ev.actor_role = "moderator";
	ev.action = "login_failure";
	ev.object_type = "session";
	ev.subject_id = "0B7E2F8E-6A4D-4C3B-9A5E-1F2D3C4B5A69";
	ev.outcome = "denied";
	ev.detail = "bad_password";
	return ev;
}

static void
test_audit_good_event_reaches_database(void **state)
{
	struct astral_audit_event ev = good_event();
	char detail[2 * 200 + 1];

	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INTERNAL);
	/* 200 characters of two bytes each is within the limit. */
	for (size_t i = 0; i < 200; i++)
		memcpy(detail + 2 * i, "\xc3\xa9", 2);
	detail[400] = '\0';
	ev.detail = detail;
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INTERNAL);
}

static void
test_audit_bad_event(void **state)
{
	struct astral_audit_event ev;
	char long_detail[202];
	char long_code[66];

	memset(long_detail, 'a', sizeof(long_detail) - 1);
	long_detail[sizeof(long_detail) - 1] = '\0';
	memset(long_code, 'a', sizeof(long_code) - 1);
	long_code[sizeof(long_code) - 1] = '\0';

	assert_int_equal(astral_audit_append(*state, NULL), ASTRAL_ERR_INVALID);
	ev = good_event();
	assert_int_equal(astral_audit_append(NULL, &ev), ASTRAL_ERR_INVALID);

	ev = good_event(); ev.actor_role = "root";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.actor_role = NULL;
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.action = "Login";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.action = "";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.action = long_code;
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.object_type = "user-1";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.outcome = "ok";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.actor_id = "not-a-uuid";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.subject_id = "0b7e2f8e6a4d4c3b9a5e1f2d3c4b5a69";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.detail = long_detail;
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
	ev = good_event(); ev.detail = "\xc3";
	assert_int_equal(astral_audit_append(*state, &ev), ASTRAL_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_known_vector),
		cmocka_unit_test(test_audit_lengths_count_code_points),
		cmocka_unit_test(test_audit_null_differs_from_empty),
		cmocka_unit_test(test_audit_prev_hash_is_chained),
		cmocka_unit_test(test_audit_every_field_counts),
		cmocka_unit_test(test_audit_bad_utf8),
		cmocka_unit_test(test_audit_bad_null_arguments),
		cmocka_unit_test_setup_teardown(test_audit_good_event_reaches_database, open_unreachable,
		                                close_unreachable),
		cmocka_unit_test_setup_teardown(test_audit_bad_event, open_unreachable, close_unreachable),
	};
	FILE *log_sink = tmpfile();   /* the connection failure is logged; keep it off the test output */
	int failed;

	astral_log_set_sink(log_sink);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	astral_log_set_sink(NULL);
	if (log_sink != NULL)
		fclose(log_sink);
	return failed;
}
