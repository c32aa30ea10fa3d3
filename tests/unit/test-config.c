/* The config loader: a good file, the example file, every kind of error, secret files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../lib/config.h"
#include "../../lib/log.h"

#define REQUIRED_TEXT \
	"[database]\n" \
	"conninfo = host=/run/postgresql dbname=astral user=astral_app\n" \
	"[auth]\n" \
	"jwt_key_file = /etc/astral/jwt.key\n" \
	"public_origin = https://support.example.org\n" \
	"[crypto]\n" \
	"keyring_file = /etc/astral/keyring\n"

static char tmpdir[64];

static astral_err
parse(const char *text, struct astral_config *cfg, char *err, size_t errlen)
{
	return astral_config_parse(text, strlen(text), cfg, err, errlen);
}

/* Parse REQUIRED_TEXT followed by extra; it must fail with an error mentioning each needle. */
static void
expect_error_with(const char *extra, const char *needle1, const char *needle2)
{
	char text[4096], err[512];
	struct astral_config cfg;
	astral_err rc;

	snprintf(text, sizeof(text), "%s%s", REQUIRED_TEXT, extra);
	rc = parse(text, &cfg, err, sizeof(err));
	if (rc != ASTRAL_ERR_CONFIG || (needle1 && !strstr(err, needle1)) || (needle2 && !strstr(err, needle2)))
		fail_msg("extra \"%s\": rc %d, error \"%s\", wanted \"%s\" and \"%s\"", extra, rc, err,
		    needle1 ? needle1 : "", needle2 ? needle2 : "");
	assert_null(cfg.db_conninfo);  /* nothing kept on error */
	assert_null(cfg.priv);
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int
make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/astral-test-config-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- good ---- */

static void
test_config_required_only(void **state)
{
	struct astral_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(REQUIRED_TEXT, &cfg, err, sizeof(err)), ASTRAL_OK);
	assert_string_equal(err, "");
	assert_string_equal(cfg.db_conninfo, "host=/run/postgresql dbname=astral user=astral_app");
	assert_string_equal(cfg.db_owner_conninfo, cfg.db_conninfo);
	assert_ptr_not_equal(cfg.db_owner_conninfo, cfg.db_conninfo);
	assert_null(cfg.db_password);
	assert_null(cfg.jwt_key);  /* parse reads no file */
	assert_int_equal(cfg.jwt_key_len, 0);
	assert_string_equal(astral_config_secret_path(&cfg, "auth.jwt_key_file"), "/etc/astral/jwt.key");
	assert_null(astral_config_secret_path(&cfg, "database.password_file"));  /* not set */
	assert_null(astral_config_secret_path(&cfg, "crypto.keyring_file"));     /* not a secret file */
	assert_null(astral_config_secret_path(&cfg, "auth.nope"));
	assert_null(astral_config_secret_path(&cfg, "nodot"));
	assert_int_equal(cfg.db_statement_timeout_ms, 5000);
	assert_string_equal(cfg.jwt_issuer, "astral-core");
	assert_string_equal(cfg.jwt_audience, "astral-core");
	assert_int_equal(cfg.access_ttl, 900);
	assert_int_equal(cfg.idle_timeout, 1800);
	assert_int_equal(cfg.staff_idle_timeout, 900);
	assert_int_equal(cfg.absolute_timeout, 43200);
	assert_int_equal(cfg.refresh_grace, 10);
	assert_string_equal(cfg.public_origin, "https://support.example.org");
	assert_string_equal(cfg.common_passwords_file, "/usr/share/astral-core/common-passwords.txt");
	assert_string_equal(cfg.keyring_file, "/etc/astral/keyring");
	assert_int_equal(cfg.max_body_bytes, 65536);
	assert_int_equal(cfg.chat_threads, 1);
	assert_string_equal(cfg.rt_publish_url, "http://127.0.0.1:8091/rt/pub");
	assert_int_equal(cfg.rt_transport, ASTRAL_RT_NCHAN);
	assert_int_equal(cfg.rt_poll_seconds, 5);
	assert_int_equal(cfg.media_delivery, ASTRAL_MEDIA_X_ACCEL);
	assert_string_equal(cfg.crisis_region, "US");
	assert_null(cfg.site_donation_url);
	assert_int_equal(cfg.log_level, ASTRAL_LOG_INFO);
	assert_null(cfg.test_clock_file);
	astral_config_free(&cfg);
	assert_null(cfg.db_conninfo);
	astral_config_free(&cfg);  /* a freed config frees again harmlessly */
	astral_config_free(NULL);
}

static void
test_config_every_key(void **state)
{
	static const char text[] =
		"# comment\r\n"
		"; another comment\n"
		"\n"
		"  [ database ]  \n"
		"\tconninfo=\"host=db.internal dbname=astral user=app sslmode=verify-full\"\r\n"
		"password_file = /etc/astral/db-password\n"
		"owner_conninfo = host=db.internal dbname=astral user=owner\n"
		"statement_timeout_ms = 100\n"
		"[auth]\n"
		"jwt_key_file = \"/etc/astral/jwt key\"\n"
		"issuer = iss-x\n"
		"audience = aud-y\n"
		"access_ttl = 60\n"
		"idle_timeout = 86400\n"
		"staff_idle_timeout = 60\n"
		"absolute_timeout = 604800\n"
		"refresh_grace = 0\n"
		"public_origin = http://localhost:8080\n"
		"common_passwords_file = /srv/pw.txt\n"
		"[crypto]\n"
		"keyring_file = /srv/keyring\n"
		"[http]\n"
		"max_body_bytes = 1048576\n"
		"[chat]\n"
		"threads = 16\n"
		"[realtime]\n"
		"publish_url = https://127.0.0.1/pub\n"
		"transport = polling\n"
		"poll_seconds = 60\n"
		"[media]\n"
		"delivery = program\n"
		"[wellness]\n"
		"crisis_region = GB\n"
		"[site]\n"
		"donation_url = https://give.example.org/astral?from=footer\n"
		"[log]\n"
		"level = debug\n"
		"[auth]\n"
		"; sections may be reopened\n";
	struct astral_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(text, &cfg, err, sizeof(err)), ASTRAL_OK);
	assert_string_equal(cfg.db_conninfo, "host=db.internal dbname=astral user=app sslmode=verify-full");
	assert_null(cfg.db_password);
	assert_string_equal(astral_config_secret_path(&cfg, "database.password_file"), "/etc/astral/db-password");
	assert_string_equal(astral_config_secret_path(&cfg, "auth.jwt_key_file"), "/etc/astral/jwt key");
	assert_string_equal(cfg.db_owner_conninfo, "host=db.internal dbname=astral user=owner");
	assert_int_equal(cfg.db_statement_timeout_ms, 100);
	assert_string_equal(cfg.jwt_issuer, "iss-x");
	assert_string_equal(cfg.jwt_audience, "aud-y");
	assert_int_equal(cfg.access_ttl, 60);
	assert_int_equal(cfg.idle_timeout, 86400);
	assert_int_equal(cfg.staff_idle_timeout, 60);
	assert_int_equal(cfg.absolute_timeout, 604800);
	assert_int_equal(cfg.refresh_grace, 0);
	assert_string_equal(cfg.public_origin, "http://localhost:8080");
	assert_string_equal(cfg.common_passwords_file, "/srv/pw.txt");
	assert_string_equal(cfg.keyring_file, "/srv/keyring");
	assert_int_equal(cfg.max_body_bytes, 1048576);
	assert_int_equal(cfg.chat_threads, 16);
	assert_string_equal(cfg.rt_publish_url, "https://127.0.0.1/pub");
	assert_int_equal(cfg.rt_transport, ASTRAL_RT_POLLING);
	assert_int_equal(cfg.rt_poll_seconds, 60);
	assert_int_equal(cfg.media_delivery, ASTRAL_MEDIA_PROGRAM);
	assert_string_equal(cfg.crisis_region, "GB");
	assert_string_equal(cfg.site_donation_url, "https://give.example.org/astral?from=footer");
	assert_int_equal(cfg.log_level, ASTRAL_LOG_DEBUG);
	astral_config_free(&cfg);
}

static void
test_config_bool_words(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "On", "1" };
	static const char *const no[] = { "false", "no", "OFF", "0" };
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = -1;
		assert_int_equal(astral_config_parse_bool(yes[i], &v), ASTRAL_OK);
		assert_int_equal(v, 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		v = -1;
		assert_int_equal(astral_config_parse_bool(no[i], &v), ASTRAL_OK);
		assert_int_equal(v, 0);
	}
}

/* ---- the example file stays true ---- */

static char *
read_example(void)
{
	static const char rel[] = "conf/astral.conf.example";
	const char *dirs[4] = { NULL, NULL, ".", "../.." };
	char path[1024];
	size_t i;

#ifdef ASTRAL_SRCDIR
	dirs[0] = ASTRAL_SRCDIR;
#endif
	dirs[1] = getenv("ASTRAL_SRCDIR");
	for (i = 0; i < 4; i++) {
		FILE *f;
		char *buf;
		size_t n;

		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], rel);
		f = fopen(path, "rb");
		if (!f)
			continue;
		buf = calloc(1, 65536);
		assert_non_null(buf);
		n = fread(buf, 1, 65535, f);
		fclose(f);
		assert_true(n > 0 && n < 65535);
		return buf;
	}
	fail_msg("cannot find %s (set ASTRAL_SRCDIR)", rel);
	return NULL;
}

static void
test_config_example_parses(void **state)
{
	struct astral_config cfg;
	char err[512];
	char *text = read_example();

	(void)state;
	if (parse(text, &cfg, err, sizeof(err)) != ASTRAL_OK)
		fail_msg("astral.conf.example: %s", err);
	assert_string_equal(cfg.keyring_file, "/etc/astral/keyring");
	astral_config_free(&cfg);
	free(text);
}

/* Every commented-out "#key = value" in the example is a valid setting, and every key in the table
   appears in the example under its section. */
static void
test_config_example_documents_every_key(void **state)
{
	char *text = read_example(), *uncommented = calloc(1, 65536), *described = calloc(1, 65536);
	char *line, *save = NULL, err[512];
	struct astral_config cfg;
	size_t used = 0, n, keys = 0;
	FILE *f;

	(void)state;
	assert_non_null(uncommented);
	assert_non_null(described);
	for (line = text; *line; ) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);

		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z')
			line++, len--;
		memcpy(uncommented + used, line, len);
		used += len;
		line += len;
	}
	if (parse(uncommented, &cfg, err, sizeof(err)) != ASTRAL_OK)
		fail_msg("example with every key uncommented: %s", err);
	astral_config_free(&cfg);

	f = tmpfile();
	assert_non_null(f);
	astral_config_describe(f);
	rewind(f);
	n = fread(described, 1, 65535, f);
	fclose(f);
	assert_true(n > 0);
	for (line = strtok_r(described, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char section[64], key[64], header[80], setting[80], *dot, *sp, *at;

		if (line[0] == ' ')
			continue;  /* help lines */
		dot = strchr(line, '.');
		sp = strchr(line, ' ');
		assert_non_null(dot);
		assert_non_null(sp);
		snprintf(section, sizeof(section), "%.*s", (int)(dot - line), line);
		snprintf(key, sizeof(key), "%.*s", (int)(sp - dot - 1), dot + 1);
		if (strcmp(section, "test") == 0)
			continue;  /* test builds only */
		snprintf(header, sizeof(header), "\n[%s]\n", section);
		snprintf(setting, sizeof(setting), "\n%s = ", key);
		at = strstr(uncommented, header);
		if (!at || !strstr(at, setting))
			fail_msg("astral.conf.example does not document %s.%s", section, key);
		keys++;
	}
	assert_true(keys >= 18);  /* the describe output was read */
	free(described);
	free(uncommented);
	free(text);
}

static void
test_config_describe_lists_types(void **state)
{
	char out[16384];
	FILE *f = tmpfile();
	size_t n;

	(void)state;
	assert_non_null(f);
	astral_config_describe(f);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	assert_non_null(strstr(out, "database.statement_timeout_ms  (default: 5000)\n    integer 100..600000"));
	assert_non_null(strstr(out, "auth.jwt_key_file  (required)\n    secret file, mode 600, 32..65536 bytes"));
	assert_non_null(strstr(out, "database.owner_conninfo  (default: the value of database.conninfo)"));
	assert_non_null(strstr(out, "log.level  (default: info)\n    word error|warn|info|debug"));
}

/* ---- parse errors ---- */

static void
test_config_bad_unknown_key(void **state)
{
	(void)state;
	expect_error_with("[auth]\nisuer = x\n", "line 9:", "unknown key 'auth.isuer'");
	expect_error_with("[database]\nconninfo_file = x\n", "line 9:", "'database.conninfo_file'");
	expect_error_with("[auth]\nkeyring_file = /x\n", "line 9:", "unknown key 'auth.keyring_file'");
}

static void
test_config_bad_unknown_section(void **state)
{
	(void)state;
	expect_error_with("[databse]\n", "line 8:", "unknown section [databse]");
	expect_error_with("[]\n", "line 8:", "unknown section []");
	expect_error_with("[auth\n", "line 8:", "[name]");
}

static void
test_config_bad_duplicate(void **state)
{
	(void)state;
	expect_error_with("[auth]\nissuer = a\nissuer = b\n", "line 10:", "duplicate key 'auth.issuer' (first set on line 9)");
	expect_error_with("[database]\nconninfo = x\n", "duplicate key 'database.conninfo'", "line 2");
}

static void
test_config_bad_missing_required(void **state)
{
	static const char *const required[] = {
		"database.conninfo", "auth.jwt_key_file", "auth.public_origin", "crypto.keyring_file"
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		char text[1024], err[256], line_start[80];
		const char *dot = strchr(required[i], '.');
		struct astral_config cfg;
		char *at, *eol;

		/* REQUIRED_TEXT without the one line setting this key */
		snprintf(text, sizeof(text), "%s", REQUIRED_TEXT);
		snprintf(line_start, sizeof(line_start), "\n%s =", dot + 1);
		at = strstr(text, line_start);
		assert_non_null(at);
		eol = strchr(at + 1, '\n');
		memmove(at, eol, strlen(eol) + 1);
		assert_int_equal(parse(text, &cfg, err, sizeof(err)), ASTRAL_ERR_CONFIG);
		assert_non_null(strstr(err, "missing required key"));
		assert_non_null(strstr(err, required[i]));
	}
	{
		struct astral_config cfg;
		char err[256];

		assert_int_equal(parse("", &cfg, err, sizeof(err)), ASTRAL_ERR_CONFIG);
		assert_non_null(strstr(err, "database.conninfo"));
		assert_int_equal(astral_config_parse(NULL, 0, &cfg, err, sizeof(err)), ASTRAL_ERR_CONFIG);
	}
}

static void
test_config_bad_integer(void **state)
{
	static const char *const bad[] = {
		"abc", "12x", "x12", "1e3", "0x10", "+5", "5.0", "5 0", "--5", "-", "99999999999999999999",
		"\"\"",
	};
	size_t i;
	char extra[128];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(extra, sizeof(extra), "[http]\nmax_body_bytes = %s\n", bad[i]);
		expect_error_with(extra, "line 9:", "'http.max_body_bytes'");
	}
	expect_error_with("[http]\nmax_body_bytes = 12x\n", "not a whole number", NULL);
	expect_error_with("[http]\nmax_body_bytes =\n", "value is empty", NULL);
}

static void
test_config_bad_out_of_range(void **state)
{
	(void)state;
	expect_error_with("[database]\nstatement_timeout_ms = 99\n", "line 9:", "99 is out of range 100..600000");
	expect_error_with("[database]\nstatement_timeout_ms = 600001\n", "line 9:", "out of range");
	expect_error_with("[auth]\naccess_ttl = 901\n", "'auth.access_ttl'", "out of range 60..900");
	expect_error_with("[auth]\nrefresh_grace = -1\n", "'auth.refresh_grace'", "out of range 0..60");
	expect_error_with("[auth]\nabsolute_timeout = 299\n", "'auth.absolute_timeout'", "out of range");
	expect_error_with("[http]\nmax_body_bytes = 1023\n", "'http.max_body_bytes'", "out of range");
	expect_error_with("[chat]\nthreads = 0\n", "'chat.threads'", "out of range 1..64");
	expect_error_with("[chat]\nthreads = 65\n", "'chat.threads'", "out of range 1..64");
}

static void
test_config_bad_bool(void **state)
{
	static const char *const bad[] = { "", "2", "-1", "y", "n", "truee", "enabled", " true", "true ", "null" };
	size_t i;
	int v = 7;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(astral_config_parse_bool(bad[i], &v), ASTRAL_ERR_CONFIG);
		assert_int_equal(v, 7);
	}
	assert_int_equal(astral_config_parse_bool(NULL, &v), ASTRAL_ERR_CONFIG);
}

static void
test_config_bad_line_without_equals(void **state)
{
	(void)state;
	expect_error_with("[auth]\nissuer astral\n", "line 9:", "expected 'key = value'");
	expect_error_with("[auth]\n= astral\n", "line 9:", "no key name");
	expect_error_with("[auth]\nissuer : astral\n", "line 9:", "issuer : astral");
}

static void
test_config_bad_syntax(void **state)
{
	char text[512], err[256];
	struct astral_config cfg;

	(void)state;
	assert_int_equal(parse("conninfo = x\n[database]\n", &cfg, err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "line 1: key 'conninfo' comes before any [section]"));
	expect_error_with("[auth]\nissuer = \"astral\n", "line 9:", "closing");
	expect_error_with("[auth]\nissuer = \"\n", "line 9:", "closing");
	expect_error_with("[auth]\nissuer = \"\"\n", "line 9:", "value is empty");
	expect_error_with("[log]\nlevel = verbose\n", "line 9:", "must be one of error|warn|info|debug");
	expect_error_with("[log]\nlevel = INFO\n", "'log.level'", NULL);
	expect_error_with("[realtime]\npublish_url = 127.0.0.1:8091/rt/pub\n", "'realtime.publish_url'",
	    "http://");
	expect_error_with("[realtime]\ntransport = websocket\n", "'realtime.transport'", "must be one of nchan|polling");
	expect_error_with("[realtime]\npoll_seconds = 1\n", "'realtime.poll_seconds'", NULL);
	expect_error_with("[media]\ndelivery = sendfile\n", "'media.delivery'", "must be one of x-accel|program");
	expect_error_with("[auth]\nkey\x1b[31m = 1\n", "unknown key 'auth.key?[31m'", NULL);

	/* a NUL byte inside the text */
	memcpy(text, REQUIRED_TEXT "[auth]\nissuer = a\0b\n", sizeof(REQUIRED_TEXT "[auth]\nissuer = a\0b\n"));
	assert_int_equal(astral_config_parse(text, sizeof(REQUIRED_TEXT "[auth]\nissuer = a\0b\n") - 1, &cfg,
	    err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "line 9: contains a NUL byte"));

	/* a tiny error buffer is still terminated; none at all is fine */
	assert_int_equal(parse("[nope]\n", &cfg, err, 8), ASTRAL_ERR_CONFIG);
	assert_int_equal(strlen(err), 7);
	assert_int_equal(parse("[nope]\n", &cfg, NULL, 0), ASTRAL_ERR_CONFIG);
}

/* public_origin is in REQUIRED_TEXT, so its bad values are tried on a text of their own. */
static void
test_config_bad_public_origin_values(void **state)
{
	static const char *const bad[] = {
		"https://support.example.org/", "support.example.org", "ftp://support.example.org",
		"https://", "https:///x", "https://a.example/path", "https://a.example?x=1", "https://user@a.example",
		"https://a .example",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024], err[256];
		struct astral_config cfg;

		snprintf(text, sizeof(text),
		    "[database]\nconninfo = x\n[crypto]\nkeyring_file = /k\n[auth]\njwt_key_file = /j\n"
		    "public_origin = %s\n", bad[i]);
		if (parse(text, &cfg, err, sizeof(err)) != ASTRAL_ERR_CONFIG || !strstr(err, "line 7: 'auth.public_origin'"))
			fail_msg("origin \"%s\" not refused properly: \"%s\"", bad[i], err);
	}
}

/* crisis_region is a country code as ISO 3166 writes it; whether the catalogue covers it is the
   program's start-up check (test-resource-catalog.c, test_program_cli.py). */
static void
test_config_bad_crisis_region_values(void **state)
{
	static const char *const bad[] = { "gb", "Gb", "GBR", "G", "INTL", "12", "G B", "\"\"" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char extra[64];

		snprintf(extra, sizeof(extra), "[wellness]\ncrisis_region = %s\n", bad[i]);
		expect_error_with(extra, "'wellness.crisis_region'", strcmp(bad[i], "\"\"") == 0 ? "empty" : "ISO 3166");
	}
}

/* The donation page people are sent to: https only, a host, no spaces, at most 500 bytes. */
static void
test_config_bad_donation_urls(void **state)
{
	static const char *const bad[] = { "http://give.example.org/", "give.example.org", "https://", "https:///x",
	                                   "https://give.example.org/a b", "javascript:alert(1)" };
	char extra[700], longest[520];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(extra, sizeof(extra), "[site]\ndonation_url = %s\n", bad[i]);
		expect_error_with(extra, "'site.donation_url'", "");
	}
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memcpy(longest, "https://g.org/", 14);
	snprintf(extra, sizeof(extra), "[site]\ndonation_url = %s\n", longest);
	expect_error_with(extra, "'site.donation_url'", "at most 500 bytes");
}

static void
test_config_test_clock_file(void **state)
{
	char text[1024], err[256];
	struct astral_config cfg;
	astral_err rc;

	(void)state;
	snprintf(text, sizeof(text), "%s[test]\nclock_file = /tmp/astral-clock\n", REQUIRED_TEXT);
	rc = parse(text, &cfg, err, sizeof(err));
#ifdef ASTRAL_TEST_CLOCK
	assert_int_equal(rc, ASTRAL_OK);
	assert_string_equal(cfg.test_clock_file, "/tmp/astral-clock");
	astral_config_free(&cfg);
#else
	assert_int_equal(rc, ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "line 8: unknown section [test]"));
	snprintf(text, sizeof(text), "%s[auth]\nclock_file = /tmp/astral-clock\n", REQUIRED_TEXT);
	assert_int_equal(parse(text, &cfg, err, sizeof(err)), ASTRAL_ERR_CONFIG);
	assert_non_null(strstr(err, "line 9: unknown key 'auth.clock_file'"));
#endif
}

/* ---- load: files and secrets ---- */

static void
write_config(const char *jwt_key_path, const char *extra, char *conf_path, size_t conf_len)
{
	char text[2048];
	int n;

	snprintf(conf_path, conf_len, "%s/astral.conf", tmpdir);
	n = snprintf(text, sizeof(text),
	    "[database]\nconninfo = dbname=astral\n%s"
	    "[auth]\njwt_key_file = %s\npublic_origin = https://a.example\n"
	    "[crypto]\nkeyring_file = %s/keyring\n", extra ? extra : "", jwt_key_path, tmpdir);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	write_file(conf_path, text, (size_t)n, 0644);
}

static void
test_config_load_good(void **state)
{
	char key_path[128], pw_path[128], conf_path[128], extra[256], err[512];
	unsigned char key[48];
	struct astral_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 37 + 1);
	key[5] = '\0';  /* a binary key may hold NUL bytes */
	key[sizeof(key) - 1] = 'k';
	snprintf(key_path, sizeof(key_path), "%s/jwt.key", tmpdir);
	write_file(key_path, key, sizeof(key), 0600);
	snprintf(pw_path, sizeof(pw_path), "%s/db-password", tmpdir);
	write_file(pw_path, "s3cret pass\r\n", 13, 0400);
	snprintf(extra, sizeof(extra), "password_file = %s\n", pw_path);
	write_config(key_path, extra, conf_path, sizeof(conf_path));

	if (astral_config_load(conf_path, &cfg, err, sizeof(err)) != ASTRAL_OK)
		fail_msg("load: %s", err);
	assert_int_equal(cfg.jwt_key_len, sizeof(key));
	assert_memory_equal(cfg.jwt_key, key, sizeof(key));
	assert_string_equal(cfg.db_password, "s3cret pass");
	assert_string_equal(astral_config_secret_path(&cfg, "database.password_file"), pw_path);
	assert_string_equal(cfg.db_conninfo, "dbname=astral");
	astral_config_free(&cfg);
	assert_null(cfg.jwt_key);

	/* one trailing newline is stripped, the key keeps its 32 bytes */
	write_file(key_path, "0123456789abcdef0123456789abcdef\n", 33, 0600);
	write_config(key_path, NULL, conf_path, sizeof(conf_path));
	if (astral_config_load(conf_path, &cfg, err, sizeof(err)) != ASTRAL_OK)
		fail_msg("load: %s", err);
	assert_int_equal(cfg.jwt_key_len, 32);
	assert_memory_equal(cfg.jwt_key, "0123456789abcdef0123456789abcdef", 32);
	assert_null(cfg.db_password);
	astral_config_free(&cfg);
}

static void
expect_load_error(const char *conf_path, astral_err want, const char *needle1, const char *needle2)
{
	struct astral_config cfg;
	char err[512];
	astral_err rc = astral_config_load(conf_path, &cfg, err, sizeof(err));

	if (rc != want || !strstr(err, needle1) || (needle2 && !strstr(err, needle2)))
		fail_msg("load: rc %d, error \"%s\", wanted \"%s\" and \"%s\"", rc, err, needle1,
		    needle2 ? needle2 : "");
	assert_null(cfg.jwt_key);
	assert_null(cfg.db_conninfo);
}

static void
test_config_bad_secret_world_readable(void **state)
{
	char key_path[128], conf_path[128], want[160];

	(void)state;
	snprintf(key_path, sizeof(key_path), "%s/jwt-open.key", tmpdir);
	write_file(key_path, "0123456789abcdef0123456789abcdef", 32, 0644);
	write_config(key_path, NULL, conf_path, sizeof(conf_path));
	snprintf(want, sizeof(want), "chmod 600 %s", key_path);
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, want, "group or other");
	assert_int_equal(chmod(key_path, 0640), 0);  /* group-readable is refused too */
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, want, NULL);
	assert_int_equal(chmod(key_path, 0604), 0);
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, want, NULL);
}

static void
test_config_bad_secret_missing(void **state)
{
	char key_path[128], conf_path[128], want[200];

	(void)state;
	snprintf(key_path, sizeof(key_path), "%s/no-such.key", tmpdir);
	write_config(key_path, NULL, conf_path, sizeof(conf_path));
	snprintf(want, sizeof(want), "auth.jwt_key_file: cannot open %s", key_path);
	expect_load_error(conf_path, ASTRAL_ERR_IO, want, "No such file");
	/* a directory is not a secret file */
	write_config(tmpdir, NULL, conf_path, sizeof(conf_path));
	assert_int_equal(chmod(tmpdir, 0700), 0);
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, tmpdir, "not a regular file");
}

static void
test_config_bad_secret_empty(void **state)
{
	char key_path[128], conf_path[128];

	(void)state;
	snprintf(key_path, sizeof(key_path), "%s/empty.key", tmpdir);
	write_file(key_path, "", 0, 0600);
	write_config(key_path, NULL, conf_path, sizeof(conf_path));
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, key_path, "is empty");
	write_file(key_path, "\n", 1, 0600);
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, key_path, "is empty");
}

static void
test_config_bad_jwt_key_short(void **state)
{
	char key_path[128], conf_path[128];

	(void)state;
	snprintf(key_path, sizeof(key_path), "%s/short.key", tmpdir);
	write_file(key_path, "0123456789abcdef0123456789abcde\n", 32, 0600);  /* 31 bytes after the newline */
	write_config(key_path, NULL, conf_path, sizeof(conf_path));
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, key_path, "holds 31 bytes, at least 32");
}

static void
test_config_bad_password_with_nul(void **state)
{
	char key_path[128], pw_path[128], conf_path[128], extra[256];

	(void)state;
	snprintf(key_path, sizeof(key_path), "%s/good.key", tmpdir);
	write_file(key_path, "0123456789abcdef0123456789abcdef", 32, 0600);
	snprintf(pw_path, sizeof(pw_path), "%s/nul-password", tmpdir);
	write_file(pw_path, "ab\0cd", 5, 0600);
	snprintf(extra, sizeof(extra), "password_file = %s\n", pw_path);
	write_config(key_path, extra, conf_path, sizeof(conf_path));
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, pw_path, "NUL byte");
}

static void
test_config_bad_config_file(void **state)
{
	char conf_path[128], key_path[128];

	(void)state;
	snprintf(conf_path, sizeof(conf_path), "%s/missing.conf", tmpdir);
	expect_load_error(conf_path, ASTRAL_ERR_IO, conf_path, "No such file");
	/* a parse error names the file and the line */
	snprintf(key_path, sizeof(key_path), "%s/good.key", tmpdir);
	write_file(key_path, "0123456789abcdef0123456789abcdef", 32, 0600);
	write_config(key_path, "statement_timeout_ms = 1\n", conf_path, sizeof(conf_path));
	expect_load_error(conf_path, ASTRAL_ERR_CONFIG, conf_path, ": line 3: 'database.statement_timeout_ms'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_required_only),
		cmocka_unit_test(test_config_every_key),
		cmocka_unit_test(test_config_bool_words),
		cmocka_unit_test(test_config_example_parses),
		cmocka_unit_test(test_config_example_documents_every_key),
		cmocka_unit_test(test_config_describe_lists_types),
		cmocka_unit_test(test_config_bad_unknown_key),
		cmocka_unit_test(test_config_bad_unknown_section),
		cmocka_unit_test(test_config_bad_duplicate),
		cmocka_unit_test(test_config_bad_missing_required),
		cmocka_unit_test(test_config_bad_integer),
		cmocka_unit_test(test_config_bad_out_of_range),
		cmocka_unit_test(test_config_bad_bool),
		cmocka_unit_test(test_config_bad_line_without_equals),
		cmocka_unit_test(test_config_bad_syntax),
		cmocka_unit_test(test_config_bad_public_origin_values),
		cmocka_unit_test(test_config_bad_crisis_region_values),
		cmocka_unit_test(test_config_bad_donation_urls),
		cmocka_unit_test(test_config_test_clock_file),
		cmocka_unit_test(test_config_load_good),
		cmocka_unit_test(test_config_bad_secret_world_readable),
		cmocka_unit_test(test_config_bad_secret_missing),
		cmocka_unit_test(test_config_bad_secret_empty),
		cmocka_unit_test(test_config_bad_jwt_key_short),
		cmocka_unit_test(test_config_bad_password_with_nul),
		cmocka_unit_test(test_config_bad_config_file),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
