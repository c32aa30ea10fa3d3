/* Tests for lib/keyring.c: file format, permissions, create, rotation, reload. */
#include <dirent.h>
#include <fcntl.h>
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

#include "keyring.h"

/* base64 of 32 bytes 0x00 and of 32 bytes 0x11 */
#define KEY_ZERO "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define KEY_ONES "ERERERERERERERERERERERERERERERERERERERERERE="
/* base64 of 16 and of 48 bytes */
#define KEY_SHORT "AAAAAAAAAAAAAAAAAAAAAA=="
#define KEY_LONG "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

static char tmpdir[64];
static unsigned file_seq;

static char *
path_in_tmp(const char *name)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);

	assert_true(n > 0 && (size_t)n < sizeof(buf));
	return strdup(buf);
}

/* Writes content to a new file in tmpdir with the given mode; returns its path. */
static char *
write_keyring(const char *content, mode_t mode)
{
	char name[32];
	char *path;
	int fd;
	size_t len = strlen(content);

	assert_true(snprintf(name, sizeof(name), "keyring-%u", file_seq++) > 0);
	path = path_in_tmp(name);
	assert_non_null(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static void
replace_content(const char *path, const char *content)
{
	char *tmp = path_in_tmp("replacement");
	int fd;
	size_t len = strlen(content);

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	assert_int_equal(rename(tmp, path), 0);
	free(tmp);
}

static char *
read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(fp);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static int
setup_tmpdir(void **state)
{
	(void)state;
	memcpy(tmpdir, "/tmp/astral-test-keyring-XXXXXX", sizeof("/tmp/astral-test-keyring-XXXXXX"));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_tmpdir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;

	(void)state;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char path[512];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name) < (int)sizeof(path))
			(void)unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static void
test_keyring_load_good(void **state)
{
	static const unsigned char zero[32], ones[32] = {
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
		0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	};
	struct astral_keyring *kr = NULL;
	char err[256] = "untouched";
	char *path;
	const unsigned char *k;

	(void)state;
	path = write_keyring("# astral keyring\r\n"
	    "\n"
	    "key 1 " KEY_ZERO "\n"
	    "\tkey   7\t" KEY_ONES "  \r\n"
	    "   # rotated 2024\n"
	    "current 7", 0600);
	assert_int_equal(astral_keyring_load(path, &kr, err, sizeof(err)), ASTRAL_OK);
	assert_non_null(kr);
	assert_string_equal(err, "");
	assert_int_equal(astral_keyring_current(kr), 7);
	k = astral_keyring_key(kr, 1);
	assert_non_null(k);
	assert_memory_equal(k, zero, 32);
	k = astral_keyring_key(kr, 7);
	assert_non_null(k);
	assert_memory_equal(k, ones, 32);
	assert_null(astral_keyring_key(kr, 2));
	assert_null(astral_keyring_key(kr, 0));
	astral_keyring_free(kr);
	astral_keyring_free(NULL);
	free(path);
}

/* Loads content (mode 0600 unless given) and expects code plus err containing want. */
static void
expect_load_error(const char *content, mode_t mode, astral_err code, const char *want)
{
	struct astral_keyring *kr = (struct astral_keyring *)1;
	char err[512] = "";
	char *path = write_keyring(content, mode);

	assert_int_equal(astral_keyring_load(path, &kr, err, sizeof(err)), code);
	assert_null(kr);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	assert_non_null(strstr(err, path));
	free(path);
}

static void
test_keyring_bad_lines(void **state)
{
	(void)state;
	expect_load_error("# x\nkey 1\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "line 2: expected 'key");
	expect_load_error("key 1 " KEY_ZERO " extra\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "line 1: expected 'key");
	expect_load_error("key 1 " KEY_ZERO "\nkeys 2 " KEY_ZERO "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG,
	    "line 2: unknown directive");
	expect_load_error("key 0 " KEY_ZERO "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "line 1: key version");
	expect_load_error("key 01 " KEY_ZERO "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "line 1: key version");
	expect_load_error("key -1 " KEY_ZERO "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "line 1: key version");
	expect_load_error("key 4294967296 " KEY_ZERO "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "line 1: key version");
	expect_load_error("key 1 " KEY_ZERO "\nkey 1 " KEY_ONES "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG,
	    "line 2: key 1 appears twice");
	expect_load_error("key 1 " KEY_ZERO "\ncurrent 1\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG,
	    "line 3: second 'current'");
	expect_load_error("key 1 " KEY_ZERO "\ncurrent one\n", 0600, ASTRAL_ERR_CONFIG, "line 2: expected 'current");
	expect_load_error("key 1 " KEY_ZERO "\ncurrent\n", 0600, ASTRAL_ERR_CONFIG, "line 2: expected 'current");
}

static void
test_keyring_bad_unknown_directive_not_echoed(void **state)
{
	struct astral_keyring *kr = NULL;
	char err[512] = "";
	char *path = write_keyring("key 1 " KEY_ZERO "\n" KEY_ONES "\ncurrent 1\n", 0600);

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "line 2"));
	assert_null(strstr(err, "ERERERER"));
	free(path);
}

static void
test_keyring_bad_base64(void **state)
{
	(void)state;
	expect_load_error("key 1 !!!!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\ncurrent 1\n", 0600,
	    ASTRAL_ERR_CONFIG, "line 1: key 1 is not valid base64");
	expect_load_error("# c\nkey 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\ncurrent 1\n", 0600,
	    ASTRAL_ERR_CONFIG, "line 2: key 1 is not valid base64");
	expect_load_error("key 3 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_\ncurrent 3\n", 0600,
	    ASTRAL_ERR_CONFIG, "line 1: key 3 is not valid base64");
}

static void
test_keyring_bad_key_length(void **state)
{
	(void)state;
	expect_load_error("key 1 " KEY_SHORT "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG,
	    "line 1: key 1 must be 32 bytes, not 16");
	expect_load_error("key 1 " KEY_ZERO "\nkey 2 " KEY_LONG "\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG,
	    "line 2: key 2 must be 32 bytes, not 48");
}

static void
test_keyring_bad_current(void **state)
{
	(void)state;
	expect_load_error("# astral keyring\nkey 1 " KEY_ZERO "\n", 0600, ASTRAL_ERR_CONFIG,
	    "missing 'current <version>' line");
	expect_load_error("# astral keyring\nkey 1 " KEY_ZERO "\nkey 2 " KEY_ONES "\ncurrent 3\n", 0600,
	    ASTRAL_ERR_CONFIG, "line 4: current key 3 is not in the file");
	expect_load_error("# astral keyring\ncurrent 1\n", 0600, ASTRAL_ERR_CONFIG, "no 'key' lines");
	expect_load_error("", 0600, ASTRAL_ERR_CONFIG, "no 'key' lines");
}

/* Text without a file (the fuzz target's way in): the same format, a NUL byte refused, and a reload
   that fails and keeps the keys. */
static void
test_keyring_parse_text(void **state)
{
	static const char text[] = "key 1 " KEY_ZERO "\ncurrent 1\n";
	static const char with_nul[] = "key 1 " KEY_ZERO "\n\0current 1\n";
	struct astral_keyring *kr = NULL;
	char err[256] = "untouched";

	(void)state;
	assert_int_equal(astral_keyring_parse("text", text, sizeof(text) - 1, &kr, err, sizeof(err)), ASTRAL_OK);
	assert_string_equal(err, "");
	assert_int_equal(astral_keyring_current(kr), 1);
	assert_int_equal(astral_keyring_reload(kr), ASTRAL_ERR_INVALID);
	assert_non_null(strstr(astral_keyring_error(kr), "no file"));
	assert_non_null(astral_keyring_key(kr, 1));
	assert_null(astral_keyring_key(kr, 2));
	astral_keyring_free(kr);
	kr = NULL;
	assert_int_equal(astral_keyring_parse("text", with_nul, sizeof(with_nul) - 1, &kr, err, sizeof(err)),
	    ASTRAL_ERR_CONFIG);
	assert_null(kr);
	assert_string_equal(err, "text: contains a NUL byte");
	assert_int_equal(astral_keyring_parse("text", text, 5, &kr, err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "text line 1: expected 'key"));
}

static void
test_keyring_bad_mode(void **state)
{
	static const char good[] = "key 1 " KEY_ZERO "\ncurrent 1\n";

	(void)state;
	expect_load_error(good, 0644, ASTRAL_ERR_CONFIG, "chmod 600");
	expect_load_error(good, 0640, ASTRAL_ERR_CONFIG, "chmod 600");
	expect_load_error(good, 0604, ASTRAL_ERR_CONFIG, "chmod 600");
	expect_load_error(good, 0620, ASTRAL_ERR_CONFIG, "chmod 600");
	expect_load_error(good, 0400 | 0004, ASTRAL_ERR_CONFIG, "chmod 600");
}

static void
test_keyring_bad_missing_file(void **state)
{
	struct astral_keyring *kr = NULL;
	char err[512] = "";
	char *path = path_in_tmp("no-such-keyring");

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, err, sizeof(err)), ASTRAL_ERR_IO);
	assert_null(kr);
	assert_non_null(strstr(err, path));
	/* A directory is not a keyring. */
	assert_int_equal(astral_keyring_load(tmpdir, &kr, err, sizeof(err)) != ASTRAL_OK, 1);
	assert_null(kr);
	/* err may be NULL. */
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_ERR_IO);
	free(path);
}

static void
test_keyring_create(void **state)
{
	struct astral_keyring *kr = NULL;
	char err[512] = "";
	struct stat st;
	char *path = path_in_tmp("created");
	char *text;

	(void)state;
	assert_int_equal(astral_keyring_create(path), ASTRAL_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = read_all(path);
	assert_int_equal(strncmp(text, "# astral keyring\nkey 1 ", 23), 0);
	assert_non_null(strstr(text, "\ncurrent 1\n"));
	free(text);
	assert_int_equal(astral_keyring_load(path, &kr, err, sizeof(err)), ASTRAL_OK);
	assert_int_equal(astral_keyring_current(kr), 1);
	assert_non_null(astral_keyring_key(kr, 1));
	astral_keyring_free(kr);
	free(path);
}

static void
test_keyring_bad_create_existing(void **state)
{
	char *path = write_keyring("key 1 " KEY_ZERO "\ncurrent 1\n", 0600);
	char *text;

	(void)state;
	assert_int_equal(astral_keyring_create(path), ASTRAL_ERR_CONFLICT);
	text = read_all(path);
	assert_string_equal(text, "key 1 " KEY_ZERO "\ncurrent 1\n");
	free(text);
	free(path);
}

static void
test_keyring_two_creates_differ(void **state)
{
	struct astral_keyring *a = NULL, *b = NULL;
	char *pa = path_in_tmp("created-a"), *pb = path_in_tmp("created-b");

	(void)state;
	assert_int_equal(astral_keyring_create(pa), ASTRAL_OK);
	assert_int_equal(astral_keyring_create(pb), ASTRAL_OK);
	assert_int_equal(astral_keyring_load(pa, &a, NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_keyring_load(pb, &b, NULL, 0), ASTRAL_OK);
	assert_memory_not_equal(astral_keyring_key(a, 1), astral_keyring_key(b, 1), 32);
	astral_keyring_free(a);
	astral_keyring_free(b);
	free(pa);
	free(pb);
}

static void
test_keyring_add_version(void **state)
{
	struct astral_keyring *kr = NULL;
	unsigned char k1[32];
	const unsigned char *p1;
	uint32_t v = 0;
	struct stat st;
	char *path = write_keyring("# astral keyring\n# operator note: keep me\nkey 1 " KEY_ZERO
	    "\ncurrent 1", 0600);
	char *text;

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	p1 = astral_keyring_key(kr, 1);
	assert_non_null(p1);
	memcpy(k1, p1, 32);
	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_OK);
	assert_int_equal(v, 2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	text = read_all(path);
	assert_non_null(strstr(text, "# operator note: keep me\n"));
	assert_non_null(strstr(text, "key 1 " KEY_ZERO "\n"));
	assert_non_null(strstr(text, "\nkey 2 "));
	assert_non_null(strstr(text, "\ncurrent 2\n"));
	assert_null(strstr(text, "current 1"));
	free(text);

	/* The loaded keyring learns of the new key on reload. */
	assert_int_equal(astral_keyring_current(kr), 1);
	assert_int_equal(astral_keyring_reload(kr), ASTRAL_OK);
	assert_int_equal(astral_keyring_current(kr), 2);
	assert_non_null(astral_keyring_key(kr, 2));
	assert_memory_not_equal(astral_keyring_key(kr, 2), k1, 32);
	/* Unchanged key 1 keeps its storage: the old pointer still works. */
	assert_ptr_equal(astral_keyring_key(kr, 1), p1);
	assert_memory_equal(p1, k1, 32);

	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_OK);
	assert_int_equal(v, 3);
	astral_keyring_free(kr);
	kr = NULL;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	assert_int_equal(astral_keyring_current(kr), 3);
	assert_non_null(astral_keyring_key(kr, 1));
	assert_non_null(astral_keyring_key(kr, 2));
	assert_non_null(astral_keyring_key(kr, 3));
	astral_keyring_free(kr);
	free(path);
}

static void
test_keyring_unknown_version_reloads_once(void **state)
{
	struct astral_keyring *kr = NULL;
	uint32_t v = 0;
	char *path = write_keyring("key 1 " KEY_ZERO "\ncurrent 1\n", 0600);

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	assert_null(astral_keyring_key(kr, 2));
	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_OK);
	assert_int_equal(v, 2);
	/* No explicit reload: asking for version 2 re-reads the file. */
	assert_non_null(astral_keyring_key(kr, 2));
	assert_int_equal(astral_keyring_current(kr), 2);
	assert_null(astral_keyring_key(kr, 3));
	astral_keyring_free(kr);
	free(path);
}

static void
test_keyring_bad_reload_keeps_keys(void **state)
{
	struct astral_keyring *kr = NULL;
	const unsigned char *k;
	char *path = write_keyring("key 1 " KEY_ONES "\ncurrent 1\n", 0600);

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	k = astral_keyring_key(kr, 1);
	assert_string_equal(astral_keyring_error(kr), "");
	replace_content(path, "key 1 " KEY_ONES "\ncurrent 9\n");
	assert_int_equal(astral_keyring_reload(kr), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(astral_keyring_error(kr), "line 2: current key 9"));
	assert_ptr_equal(astral_keyring_key(kr, 1), k);
	assert_int_equal(k[0], 0x11);
	assert_int_equal(astral_keyring_current(kr), 1);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(astral_keyring_reload(kr), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(astral_keyring_error(kr), "chmod 600"));
	assert_int_equal(astral_keyring_current(kr), 1);
	astral_keyring_free(kr);
	free(path);
}

static void
test_keyring_reload_changed_key(void **state)
{
	struct astral_keyring *kr = NULL;
	const unsigned char *old, *fresh;
	char *path = write_keyring("key 1 " KEY_ONES "\ncurrent 1\n", 0600);

	(void)state;
	assert_int_equal(astral_keyring_load(path, &kr, NULL, 0), ASTRAL_OK);
	old = astral_keyring_key(kr, 1);
	replace_content(path, "key 1 " KEY_ZERO "\ncurrent 1\n");
	assert_int_equal(astral_keyring_reload(kr), ASTRAL_OK);
	fresh = astral_keyring_key(kr, 1);
	assert_ptr_not_equal(fresh, old);
	assert_int_equal(fresh[0], 0x00);
	/* The replaced key is wiped but its memory stays valid until free. */
	assert_int_equal(old[0], 0x00);
	assert_int_equal(old[31], 0x00);
	astral_keyring_free(kr);
	free(path);
}

static void
test_keyring_bad_add_version(void **state)
{
	uint32_t v = 99;
	char *path = write_keyring("key 1 " KEY_ZERO "\ncurrent 2\n", 0600);
	char *missing = path_in_tmp("missing-keyring");
	char *text;

	(void)state;
	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_ERR_CONFIG);
	assert_int_equal(v, 0);
	text = read_all(path);
	assert_string_equal(text, "key 1 " KEY_ZERO "\ncurrent 2\n");
	free(text);
	assert_int_equal(astral_keyring_add_version(missing, &v), ASTRAL_ERR_IO);
	free(path);
	path = write_keyring("key 4294967295 " KEY_ZERO "\ncurrent 4294967295\n", 0600);
	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_ERR_CONFLICT);
	free(path);
	path = write_keyring("key 1 " KEY_ZERO "\ncurrent 1\n", 0644);
	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_ERR_CONFIG);
	free(path);
	free(missing);
}

/* A file named name beside path (in tmpdir) holding "x"; returns its path. */
static char *
touch_beside(const char *name)
{
	char *p = path_in_tmp(name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(close(fd), 0);
	return p;
}

static void
test_keyring_remove_stale_temps(void **state)
{
	char *path = write_keyring("key 1 " KEY_ZERO "\ncurrent 1\n", 0600);
	const char *base = strrchr(path, '/') + 1;
	char name[96], *stale, *stale2, *backup, *short_tmp, *other, *before, *after;
	unsigned removed = 99;
	uint32_t v = 0;
	struct stat st;

	(void)state;
	snprintf(name, sizeof(name), "%s.astral-tmp.Ab3xQ9", base);
	stale = touch_beside(name);
	snprintf(name, sizeof(name), "%s.astral-tmp.000000", base);
	stale2 = touch_beside(name);
	/* Not add_version's: an admin's copy, a name of another length, another keyring's. */
	snprintf(name, sizeof(name), "%s.backup", base);
	backup = touch_beside(name);
	snprintf(name, sizeof(name), "%s.astral-tmp.Ab3x", base);
	short_tmp = touch_beside(name);
	other = touch_beside("other-keyring.astral-tmp.Ab3xQ9");
	assert_int_equal(astral_keyring_remove_stale_temps(path, &removed), ASTRAL_OK);
	assert_int_equal(removed, 2);
	assert_int_not_equal(stat(stale, &st), 0);
	assert_int_not_equal(stat(stale2, &st), 0);
	assert_int_equal(stat(backup, &st), 0);
	assert_int_equal(stat(short_tmp, &st), 0);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(astral_keyring_remove_stale_temps(path, &removed), ASTRAL_OK);
	assert_int_equal(removed, 0);
	/* add_version's own temp file is of that name, and it leaves none. */
	before = read_all(path);
	assert_int_equal(astral_keyring_add_version(path, &v), ASTRAL_OK);
	after = read_all(path);
	assert_string_not_equal(before, after);
	assert_int_equal(astral_keyring_remove_stale_temps(path, &removed), ASTRAL_OK);
	assert_int_equal(removed, 0);
	/* A keyring that does not exist yet: its directory is still swept. */
	free(stale2);
	snprintf(name, sizeof(name), "not-yet.astral-tmp.zzzzzz");
	stale2 = touch_beside(name);
	free(before);
	before = path_in_tmp("not-yet");
	assert_int_equal(astral_keyring_remove_stale_temps(before, &removed), ASTRAL_OK);
	assert_int_equal(removed, 1);
	assert_int_not_equal(stat(stale2, &st), 0);
	unlink(backup);
	unlink(short_tmp);
	unlink(other);
	free(before);
	free(after);
	free(stale);
	free(stale2);
	free(backup);
	free(short_tmp);
	free(other);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyring_load_good),
		cmocka_unit_test(test_keyring_bad_lines),
		cmocka_unit_test(test_keyring_bad_unknown_directive_not_echoed),
		cmocka_unit_test(test_keyring_bad_base64),
		cmocka_unit_test(test_keyring_bad_key_length),
		cmocka_unit_test(test_keyring_bad_current),
		cmocka_unit_test(test_keyring_parse_text),
		cmocka_unit_test(test_keyring_bad_mode),
		cmocka_unit_test(test_keyring_bad_missing_file),
		cmocka_unit_test(test_keyring_create),
		cmocka_unit_test(test_keyring_bad_create_existing),
		cmocka_unit_test(test_keyring_two_creates_differ),
		cmocka_unit_test(test_keyring_add_version),
		cmocka_unit_test(test_keyring_unknown_version_reloads_once),
		cmocka_unit_test(test_keyring_bad_reload_keeps_keys),
		cmocka_unit_test(test_keyring_reload_changed_key),
		cmocka_unit_test(test_keyring_bad_add_version),
		cmocka_unit_test(test_keyring_remove_stale_temps),
	};

	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
