/* Tests for lib/password.c: argon2id hashing, rehash decisions, policy, word list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "password.h"

#define PARAMS_PREFIX "$argon2id$v=19$m=19456,t=2,p=1$"

/* pw hashed with the current parameters; fails the test on error. */
static char *
hash_of(const char *pw)
{
	char *enc = NULL;

	assert_int_equal(astral_password_hash(pw, &enc), ASTRAL_OK);
	assert_non_null(enc);
	return enc;
}

static void
test_password_hash_params(void **state)
{
	char *enc;
	const char *salt, *tag;

	(void)state;
	enc = hash_of("correct horse battery staple");
	assert_int_equal(strncmp(enc, PARAMS_PREFIX, strlen(PARAMS_PREFIX)), 0);
	/* 16-byte salt = 22 base64 chars, 32-byte tag = 43 chars, no padding. */
	salt = enc + strlen(PARAMS_PREFIX);
	tag = strchr(salt, '$');
	assert_non_null(tag);
	assert_int_equal(tag - salt, 22);
	assert_int_equal(strlen(tag + 1), 43);
	assert_null(strchr(salt, '='));      /* unpadded base64 */
	assert_int_equal(astral_password_needs_rehash(enc), 0);
	free(enc);
}

static void
test_password_verify(void **state)
{
	char *enc;

	(void)state;
	enc = hash_of("correct horse battery staple");
	assert_int_equal(astral_password_verify(enc, "correct horse battery staple"), ASTRAL_OK);
	assert_int_equal(astral_password_verify(enc, "correct horse battery stapl"), ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_password_verify(enc, "Correct horse battery staple"), ASTRAL_ERR_UNAUTHORIZED);
	assert_int_equal(astral_password_verify(enc, ""), ASTRAL_ERR_UNAUTHORIZED);
	free(enc);
}

static void
test_password_salted(void **state)
{
	char *a, *b;

	(void)state;
	a = hash_of("same password here");
	b = hash_of("same password here");
	assert_string_not_equal(a, b);
	assert_int_equal(astral_password_verify(a, "same password here"), ASTRAL_OK);
	assert_int_equal(astral_password_verify(b, "same password here"), ASTRAL_OK);
	free(a);
	free(b);
}

static void
test_password_utf8_and_max_length(void **state)
{
	char pw[ASTRAL_PASSWORD_MAX_BYTES + 1];
	char *enc;

	(void)state;
	enc = hash_of("mot de passe \xc3\xa9t\xc3\xa9 \xe2\x98\x83");
	assert_int_equal(astral_password_verify(enc, "mot de passe \xc3\xa9t\xc3\xa9 \xe2\x98\x83"), ASTRAL_OK);
	free(enc);
	memset(pw, 'x', ASTRAL_PASSWORD_MAX_BYTES);
	pw[ASTRAL_PASSWORD_MAX_BYTES] = '\0';
	enc = hash_of(pw);
	assert_int_equal(astral_password_verify(enc, pw), ASTRAL_OK);
	free(enc);
}

static void
test_password_bad_too_long(void **state)
{
	char pw[ASTRAL_PASSWORD_MAX_BYTES + 2];
	char *enc = (char *)1;

	(void)state;
	memset(pw, 'x', ASTRAL_PASSWORD_MAX_BYTES + 1);
	pw[ASTRAL_PASSWORD_MAX_BYTES + 1] = '\0';
	assert_int_equal(astral_password_hash(pw, &enc), ASTRAL_ERR_TOO_LARGE);
	assert_null(enc);
	enc = (char *)1;
	assert_int_equal(astral_password_hash(NULL, &enc), ASTRAL_ERR_INVALID);
	assert_null(enc);
}

static void
test_password_bad_encoded(void **state)
{
	static const char *bad[] = {
		"",
		"plaintext",
		"$argon2id$",
		"$argon2id$v=19$m=19456,t=2,p=1$",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA",
		"$argon2id$v=19$m=19456,t=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFz!GhhcGhoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g$",
		/* memory beyond the sane bound: refused before any allocation */
		"$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=19456,t=4294967295,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g\n",
		/* another argon2 type: we only ever store argon2id */
		"$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
		"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(astral_password_verify(bad[i], "correct horse battery staple"),
		    ASTRAL_ERR_INVALID);
	assert_int_equal(astral_password_verify(NULL, "x"), ASTRAL_ERR_INVALID);
}

static void
test_password_bad_tampered_hash(void **state)
{
	char *enc;
	size_t n;

	(void)state;
	enc = hash_of("correct horse battery staple");
	n = strlen(enc);
	/* Change one tag character (keep it valid base64). */
	enc[n - 2] = enc[n - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(astral_password_verify(enc, "correct horse battery staple"),
	    ASTRAL_ERR_UNAUTHORIZED);
	free(enc);
}

static void
test_password_needs_rehash(void **state)
{
	static const char tail[] = "$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
	static const struct {
		const char *head;
		int want;
	} cases[] = {
		{ "$argon2id$v=19$m=19456,t=2,p=1", 0 },
		{ "$argon2id$v=19$m=65536,t=3,p=4", 0 },   /* stronger than current */
		{ "$argon2id$v=19$m=19455,t=2,p=1", 1 },
		{ "$argon2id$v=19$m=4096,t=3,p=1", 1 },
		{ "$argon2id$v=19$m=19456,t=1,p=1", 1 },
		{ "$argon2id$v=16$m=19456,t=2,p=1", 1 },
		{ "$argon2id$m=19456,t=2,p=1", 1 },        /* no version = 0x10 */
		{ "$argon2i$v=19$m=19456,t=2,p=1", 1 },
		{ "$argon2d$v=19$m=19456,t=2,p=1", 1 },
	};
	char buf[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(buf, sizeof(buf), "%s%s", cases[i].head, tail);

		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_int_equal(astral_password_needs_rehash(buf), cases[i].want);
	}
	/* Shorter salt or tag than we make now. */
	assert_int_equal(astral_password_needs_rehash(
	    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"), 1);
	assert_int_equal(astral_password_needs_rehash(
	    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNo"), 1);
	assert_int_equal(astral_password_needs_rehash(NULL), 1);
	assert_int_equal(astral_password_needs_rehash("garbage"), 1);
	assert_int_equal(astral_password_needs_rehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"), 1);
}

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Shortest of three runs, to damp scheduling noise. */
static double
fastest_verify(const char *enc, const char *pw)
{
	double best = 1e9;
	int i;

	for (i = 0; i < 3; i++) {
		double t0 = seconds_now(), dt;

		assert_int_equal(astral_password_verify(enc, pw), ASTRAL_ERR_UNAUTHORIZED);
		dt = seconds_now() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

static double
fastest_burn(const char *pw)
{
	double best = 1e9;
	int i;

	for (i = 0; i < 3; i++) {
		double t0 = seconds_now(), dt;

		astral_password_burn(pw);
		dt = seconds_now() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

static void
test_password_burn_costs_a_verify(void **state)
{
	char *enc;
	double t_verify, t_burn;

	(void)state;
	enc = hash_of("correct horse battery staple");
	astral_password_burn("warm up: makes the dummy hash");
	t_verify = fastest_verify(enc, "wrong password");
	t_burn = fastest_burn("wrong password");
	/* Same parameters, so the same work: allow wide noise, refuse a no-op. */
	if (!(t_burn > t_verify / 3 && t_burn < t_verify * 3))
		fail_msg("burn took %.4f s, a failed verify %.4f s", t_burn, t_verify);
	astral_password_burn(NULL);
	free(enc);
}

static char tmpdir[64];

static char *
write_file(const char *name, const char *content)
{
	char *path = malloc(strlen(tmpdir) + strlen(name) + 2);
	FILE *fp;

	assert_non_null(path);
	memcpy(path, tmpdir, strlen(tmpdir));
	path[strlen(tmpdir)] = '/';
	memcpy(path + strlen(tmpdir) + 1, name, strlen(name) + 1);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int
setup_tmpdir(void **state)
{
	(void)state;
	memcpy(tmpdir, "/tmp/astral-test-password-XXXXXX", sizeof("/tmp/astral-test-password-XXXXXX"));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_tmpdir(void **state)
{
	char path[128];

	(void)state;
	if (snprintf(path, sizeof(path), "%s/words.txt", tmpdir) >= (int)sizeof(path))
		return -1;
	(void)unlink(path);
	return rmdir(tmpdir);
}

static void
test_password_wordlist_load(void **state)
{
	struct astral_wordlist *list = NULL;
	char *path;

	(void)state;
	path = write_file("words.txt",
	    "# a comment\n"
	    "\n"
	    "Password1\n"
	    "  letmein123  \r\n"
	    "zebra-stripes\n"
	    "password1\n"
	    "   # indented comment\n"
	    "aardvark99");
	assert_int_equal(astral_wordlist_load(path, &list), ASTRAL_OK);
	assert_non_null(list);
	assert_int_equal(astral_wordlist_count(list), 4);
	assert_true(astral_wordlist_contains(list, "password1"));
	assert_true(astral_wordlist_contains(list, "PASSWORD1"));
	assert_true(astral_wordlist_contains(list, "LetMeIn123"));
	assert_true(astral_wordlist_contains(list, "aardvark99"));
	assert_true(astral_wordlist_contains(list, "zebra-stripes"));
	assert_false(astral_wordlist_contains(list, "# a comment"));
	assert_false(astral_wordlist_contains(list, "letmein"));
	assert_false(astral_wordlist_contains(list, ""));
	astral_wordlist_free(list);
	free(path);
}

static void
test_password_bad_wordlist_path(void **state)
{
	struct astral_wordlist *list = (struct astral_wordlist *)1;

	(void)state;
	assert_int_equal(astral_wordlist_load("/nonexistent/astral/words.txt", &list), ASTRAL_ERR_NOT_FOUND);
	assert_null(list);
	assert_int_equal(astral_wordlist_load(tmpdir, &list) != ASTRAL_OK, 1);
	assert_null(list);
}

/* Finds conf/common-passwords.txt under $ASTRAL_SRCDIR (set by make check),
 * the ASTRAL_SRCDIR the test was built with, $srcdir, or the current directory. */
static char *
find_common_list(void)
{
#ifdef ASTRAL_SRCDIR
	const char *built_in = ASTRAL_SRCDIR;
#else
	const char *built_in = NULL;
#endif
	const char *roots[] = { getenv("ASTRAL_SRCDIR"), built_in, getenv("srcdir"), "." };
	char buf[4096];
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		int n;

		if (roots[i] == NULL)
			continue;
		n = snprintf(buf, sizeof(buf), "%s/conf/common-passwords.txt", roots[i]);
		if (n > 0 && (size_t)n < sizeof(buf) && access(buf, R_OK) == 0)
			return strdup(buf);
	}
	return NULL;
}

static void
test_password_common_list_shipped(void **state)
{
	struct astral_wordlist *list = NULL;
	char *path = find_common_list();
	char line[512];
	size_t words = 0;
	FILE *fp;

	(void)state;
	assert_non_null(path);
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_int_equal(line[0], '#');
	do {
		char *nl = strchr(line, '\n');
		size_t n, i;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_non_null(nl);            /* whole line read, newline-terminated */
		*nl = '\0';
		n = strlen(line);
		assert_true(n >= 8);
		for (i = 0; i < n; i++)
			assert_false(line[i] >= 'A' && line[i] <= 'Z');
		words++;
	} while (fgets(line, sizeof(line), fp) != NULL);
	fclose(fp);
	assert_true(words >= 400);
	assert_int_equal(astral_wordlist_load(path, &list), ASTRAL_OK);
	assert_int_equal(astral_wordlist_count(list), words);  /* no duplicates */
	assert_string_equal(astral_password_policy_problem(list, "password1"), "is too common");
	assert_string_equal(astral_password_policy_problem(list, "12345678"), "is too common");
	assert_string_equal(astral_password_policy_problem(list, "QwertyUIOP"), "is too common");
	assert_string_equal(astral_password_policy_problem(list, "iloveyou1"), "is too common");
	assert_null(astral_password_policy_problem(list, "violet kettle under thunder"));
	astral_wordlist_free(list);
	free(path);
}

static void
test_password_policy_accepts(void **state)
{
	char pw[ASTRAL_PASSWORD_MAX_BYTES + 1];

	(void)state;
	assert_null(astral_password_policy_problem(NULL, "abcdefgh"));
	assert_null(astral_password_policy_problem(NULL, "correct horse battery staple"));
	/* 8 characters of 2 bytes each */
	assert_null(astral_password_policy_problem(NULL, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	/* 8 characters including an emoji (4 bytes) */
	assert_null(astral_password_policy_problem(NULL, "abcdefg\xf0\x9f\x8c\xbb"));
	memset(pw, 'k', ASTRAL_PASSWORD_MAX_BYTES);
	pw[ASTRAL_PASSWORD_MAX_BYTES] = '\0';
	assert_null(astral_password_policy_problem(NULL, pw));
}

static void
test_password_bad_policy(void **state)
{
	char pw[ASTRAL_PASSWORD_MAX_BYTES + 2];

	(void)state;
	assert_string_equal(astral_password_policy_problem(NULL, ""), "must be at least 8 characters");
	assert_string_equal(astral_password_policy_problem(NULL, "abcdefg"), "must be at least 8 characters");
	assert_string_equal(astral_password_policy_problem(NULL, NULL), "must be at least 8 characters");
	/* 7 characters, 14 bytes: characters count, not bytes */
	assert_string_equal(astral_password_policy_problem(NULL,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), "must be at least 8 characters");
	memset(pw, 'k', ASTRAL_PASSWORD_MAX_BYTES + 1);
	pw[ASTRAL_PASSWORD_MAX_BYTES + 1] = '\0';
	assert_string_equal(astral_password_policy_problem(NULL, pw), "must be at most 256 bytes");
	assert_string_equal(astral_password_policy_problem(NULL, "abcd\tefgh"), "must not contain control characters");
	assert_string_equal(astral_password_policy_problem(NULL, "abcdefgh\n"), "must not contain control characters");
	assert_string_equal(astral_password_policy_problem(NULL, "abcd\x7f" "efgh"), "must not contain control characters");
	assert_string_equal(astral_password_policy_problem(NULL, "abcd\xc2\x85" "efgh"), "must not contain control characters");
	assert_string_equal(astral_password_policy_problem(NULL, "abcdefgh\xff"), "must be valid UTF-8");
	assert_string_equal(astral_password_policy_problem(NULL, "abcdefgh\xc3"), "must be valid UTF-8");
	assert_string_equal(astral_password_policy_problem(NULL, "abcdefgh\xc0\xaf"), "must be valid UTF-8");
	assert_string_equal(astral_password_policy_problem(NULL, "abcdefgh\xed\xa0\x80"), "must be valid UTF-8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_hash_params),
		cmocka_unit_test(test_password_verify),
		cmocka_unit_test(test_password_salted),
		cmocka_unit_test(test_password_utf8_and_max_length),
		cmocka_unit_test(test_password_bad_too_long),
		cmocka_unit_test(test_password_bad_encoded),
		cmocka_unit_test(test_password_bad_tampered_hash),
		cmocka_unit_test(test_password_needs_rehash),
		cmocka_unit_test(test_password_burn_costs_a_verify),
		cmocka_unit_test(test_password_wordlist_load),
		cmocka_unit_test(test_password_bad_wordlist_path),
		cmocka_unit_test(test_password_common_list_shipped),
		cmocka_unit_test(test_password_policy_accepts),
		cmocka_unit_test(test_password_bad_policy),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
