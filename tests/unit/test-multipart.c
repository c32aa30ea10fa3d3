/* cgi-bin/videos/multipart.c: the boundary of a Content-Type; bodies parsed the same whatever the
   chunk sizes; quoted parameters, preamble, epilogue, padding and CRLF edge cases; malformed
   bodies, missing parts, oversize headers and too many parts refused; sink errors carried out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "multipart.h"

/* ------------------------------------------------------------------ a recording sink */

#define REC_PARTS 10
#define REC_DATA 8192

struct rec_part {
	char name[VIDEOS_MP_NAME_MAX + 1];
	int has_filename;
	char data[REC_DATA];
	size_t len;
	int ended;
};

struct rec {
	struct rec_part parts[REC_PARTS];
	int n;
	size_t fail_after;           /* the data callback fails once a part holds more; 0: never */
	astral_err fail_with;
};

static astral_err
rec_begin(void *ctx, const struct videos_mp_part *part)
{
	struct rec *r = ctx;
	struct rec_part *p;

	assert_true(r->n < REC_PARTS);
	assert_true(r->n == 0 || r->parts[r->n - 1].ended);
	p = &r->parts[r->n++];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, part->name, strlen(part->name) + 1);
	p->has_filename = part->has_filename;
	return ASTRAL_OK;
}

static astral_err
rec_data(void *ctx, const unsigned char *buf, size_t len)
{
	struct rec *r = ctx;
	struct rec_part *p;

	assert_true(r->n > 0);
	assert_true(len > 0);
	p = &r->parts[r->n - 1];
	assert_false(p->ended);
	assert_true(p->len + len <= REC_DATA);
	memcpy(p->data + p->len, buf, len);
	p->len += len;
	if (r->fail_after > 0 && p->len > r->fail_after)
		return r->fail_with;
	return ASTRAL_OK;
}

static astral_err
rec_end(void *ctx)
{
	struct rec *r = ctx;

	assert_true(r->n > 0);
	r->parts[r->n - 1].ended = 1;
	return ASTRAL_OK;
}

static const struct videos_mp_sink rec_sink = { rec_begin, rec_data, rec_end };

/* Parse `body` fed in chunks of `chunk` bytes (0: all at once). The parser's result. */
static astral_err
parse(const char *boundary, const char *body, size_t len, size_t chunk, struct rec *r, struct videos_multipart *mp)
{
	astral_err err = ASTRAL_OK;
	size_t i = 0;

	videos_mp_init(mp, boundary, &rec_sink, r);
	if (chunk == 0)
		chunk = len ? len : 1;
	while (i < len && err == ASTRAL_OK) {
		size_t n = len - i < chunk ? len - i : chunk;

		err = videos_mp_feed(mp, (const unsigned char *)body + i, n);
		i += n;
	}
	return err == ASTRAL_OK ? videos_mp_finish(mp) : err;
}

/* Parse at every chunk size from 1 to 17 and all at once; every way gives the same parts. */
static void
parse_all_ways(const char *boundary, const char *body, size_t len, astral_err want, struct rec *out)
{
	static struct rec r;
	struct videos_multipart mp;

	memset(out, 0, sizeof(*out));
	assert_int_equal(parse(boundary, body, len, 0, out, &mp), want);
	for (size_t chunk = 1; chunk <= 17; chunk++) {
		memset(&r, 0, sizeof(r));
		assert_int_equal(parse(boundary, body, len, chunk, &r, &mp), want);
		if (want != ASTRAL_OK)
			continue;
		assert_int_equal(r.n, out->n);
		for (int i = 0; i < r.n; i++) {
			assert_string_equal(r.parts[i].name, out->parts[i].name);
			assert_int_equal(r.parts[i].len, out->parts[i].len);
			assert_memory_equal(r.parts[i].data, out->parts[i].data, r.parts[i].len);
		}
	}
}

#define BODY(s) s, sizeof(s) - 1

/* A body that must be refused, at every chunk size, with the parser's own reason. */
static void
refused(const char *boundary, const char *body, size_t len)
{
	static struct rec r;
	struct videos_multipart mp;

	for (size_t chunk = 0; chunk <= 5; chunk++) {
		memset(&r, 0, sizeof(r));
		assert_int_equal(parse(boundary, body, len, chunk, &r, &mp), ASTRAL_ERR_INVALID);
		assert_non_null(mp.problem);
		assert_false(mp.sink_failed);
		/* A failed parser stays failed. */
		assert_int_equal(videos_mp_feed(&mp, (const unsigned char *)"x", 1), ASTRAL_ERR_INVALID);
		assert_int_equal(videos_mp_finish(&mp), ASTRAL_ERR_INVALID);
	}
}

/* ------------------------------------------------------------------ Content-Type */

static void
test_multipart_boundary(void **state)
{
	char b[VIDEOS_MP_BOUNDARY_MAX + 1];
	char seventy[128];

	(void)state;
	assert_int_equal(videos_mp_boundary("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", b,
	                                    sizeof(b)), ASTRAL_OK);
	assert_string_equal(b, "----WebKitFormBoundary7MA4YWxkTrZu0gW");
	assert_int_equal(videos_mp_boundary("Multipart/Form-Data;boundary=\"a b:c=d?\"", b, sizeof(b)), ASTRAL_OK);
	assert_string_equal(b, "a b:c=d?");
	assert_int_equal(videos_mp_boundary("multipart/form-data; charset=utf-8; BOUNDARY=xyz ", b, sizeof(b)), ASTRAL_OK);
	assert_string_equal(b, "xyz");
	/* Spaces around the separators; an escaped quote unescapes into a character boundaries may
	   not hold. */
	assert_int_equal(videos_mp_boundary("multipart/form-data ; boundary = \"q\\(\"", b, sizeof(b)), ASTRAL_OK);
	assert_string_equal(b, "q(");
	assert_int_equal(videos_mp_boundary("multipart/form-data ; boundary = \"q\\\"\"", b, sizeof(b)), ASTRAL_ERR_INVALID);
	memset(seventy, 'a', 70);
	seventy[70] = '\0';
	{
		char ct[160];

		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", seventy);
		assert_int_equal(videos_mp_boundary(ct, b, sizeof(b)), ASTRAL_OK);
		assert_int_equal(strlen(b), 70);
	}
}

static void
test_multipart_bad_boundary(void **state)
{
	static const char *const bad[] = {
		"",
		"text/plain; boundary=abc",
		"multipart/mixed; boundary=abc",
		"multipart/form-datax; boundary=abc",
		"multipart/form-data",
		"multipart/form-data;",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"abc",
		"multipart/form-data; boundary=\"abc \"",
		"multipart/form-data; boundary=a<b",
		"multipart/form-data; boundary=\"a\rb\"",
		"multipart/form-data; boundary=abc; boundary=def",
		"multipart/form-data; boundary abc",
		"multipart/form-data; =abc",
		"multipart/form-data boundary=abc",
		"multipart/form-data; boundary=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		NULL,
	};
	char b[VIDEOS_MP_BOUNDARY_MAX + 1];

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++)
		assert_int_equal(videos_mp_boundary(bad[i], b, sizeof(b)), ASTRAL_ERR_INVALID);
	assert_int_equal(videos_mp_boundary(NULL, b, sizeof(b)), ASTRAL_ERR_INVALID);
	/* The output must hold the longest boundary. */
	assert_int_equal(videos_mp_boundary("multipart/form-data; boundary=abc", b, 10), ASTRAL_ERR_INVALID);
}

/* ------------------------------------------------------------------ good bodies */

static void
test_multipart_two_parts(void **state)
{
	static const char body[] =
		"--XyZ\r\n"
		"Content-Disposition: form-data; name=\"description\"\r\n"
		"\r\n"
		"A calm walk\r\nby the sea\r\n"
		"--XyZ\r\n"
		"Content-Disposition: form-data; name=\"file\"; filename=\"walk.mp4\"\r\n"
		"Content-Type: video/mp4\r\n"
		"\r\n"
		"\x00\x00\x00\x20" "ftypisom\r\n--XyQ\r\n--X\r\r\n\r\n-"
		"\r\n--XyZ--\r\n";
	static struct rec r;

	(void)state;
	parse_all_ways("XyZ", BODY(body), ASTRAL_OK, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.parts[0].name, "description");
	assert_false(r.parts[0].has_filename);
	assert_int_equal(r.parts[0].len, 23);
	assert_memory_equal(r.parts[0].data, "A calm walk\r\nby the sea", 23);
	assert_true(r.parts[0].ended);
	assert_string_equal(r.parts[1].name, "file");
	assert_true(r.parts[1].has_filename);
	assert_int_equal(r.parts[1].len, 30);
	assert_memory_equal(r.parts[1].data, "\x00\x00\x00\x20" "ftypisom\r\n--XyQ\r\n--X\r\r\n\r\n-", 30);
	assert_true(r.parts[1].ended);
}

/* The file first and the description after it: parts come out in body order. */
static void
test_multipart_out_of_order(void **state)
{
	static const char body[] =
		"--b\r\nContent-Disposition: form-data; name=file; filename=x.webm\r\n\r\nDATA\r\n"
		"--b\r\nContent-Disposition: form-data; name=description\r\n\r\n\r\n"
		"--b--";
	static struct rec r;

	(void)state;
	parse_all_ways("b", BODY(body), ASTRAL_OK, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.parts[0].name, "file");
	assert_memory_equal(r.parts[0].data, "DATA", 4);
	assert_string_equal(r.parts[1].name, "description");
	assert_int_equal(r.parts[1].len, 0);
	assert_true(r.parts[1].ended);
}

static void
test_multipart_preamble_epilogue_padding(void **state)
{
	static const char body[] =
		"This is the preamble.\r\nIt is ignored. --b is not a delimiter here\r\n"
		"--b \t \r\n"
		"content-disposition: FORM-DATA; NAME=\"a\"\r\n"
		"X-Other: ignored\r\n"
		"\r\n"
		"one\r\n"
		"--b--  and this is the epilogue\r\n--b\r\nignored too";
	static struct rec r;

	(void)state;
	parse_all_ways("b", BODY(body), ASTRAL_OK, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.parts[0].name, "a");
	assert_int_equal(r.parts[0].len, 3);
	assert_memory_equal(r.parts[0].data, "one", 3);
}

static void
test_multipart_quoted_params(void **state)
{
	static const char body[] =
		"--b\r\n"
		"Content-Disposition: form-data ; filename=\"a;b \\\"c\\\".mp4\" ;name=\"we;ird\\\\\"\r\n"
		"\r\n"
		"x\r\n"
		"--b\r\n"
		"Content-Disposition: form-data; name=n2; filename*=UTF-8''caf%C3%A9.mp4\r\n"
		"\r\n"
		"\r\n"
		"--b--\r\n";
	static struct rec r;

	(void)state;
	parse_all_ways("b", BODY(body), ASTRAL_OK, &r);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.parts[0].name, "we;ird\\");
	assert_true(r.parts[0].has_filename);
	assert_string_equal(r.parts[1].name, "n2");
	assert_true(r.parts[1].has_filename);
	assert_int_equal(r.parts[1].len, 0);
}

/* CRLF edge cases: a CR before the delimiter's CRLF, CRs and LFs alone, content that is all line
   breaks, a partial boundary at the very end of a part, an empty body between delimiters. */
static void
test_multipart_crlf_edges(void **state)
{
	static const char body[] =
		"--bb\r\nContent-Disposition: form-data; name=p1\r\n\r\nabc\r\r\n"
		"--bb\r\nContent-Disposition: form-data; name=p2\r\n\r\n\r\n\r\n\r\n"
		"--bb\r\nContent-Disposition: form-data; name=p3\r\n\r\n\n\r\r\n--b\r\n"
		"--bb\r\nContent-Disposition: form-data; name=p4\r\n\r\n"
		"\r\n--bb--";
	static struct rec r;

	(void)state;
	parse_all_ways("bb", BODY(body), ASTRAL_OK, &r);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.parts[0].len, 4);
	assert_memory_equal(r.parts[0].data, "abc\r", 4);
	assert_int_equal(r.parts[1].len, 4);
	assert_memory_equal(r.parts[1].data, "\r\n\r\n", 4);
	assert_int_equal(r.parts[2].len, 7);
	assert_memory_equal(r.parts[2].data, "\n\r\r\n--b", 7);
	assert_int_equal(r.parts[3].len, 0);
}

/* A body with no parts at all is well formed (the program then asks for the file). */
static void
test_multipart_no_parts(void **state)
{
	static struct rec r;

	(void)state;
	parse_all_ways("b", BODY("--b--\r\n"), ASTRAL_OK, &r);
	assert_int_equal(r.n, 0);
}

/* Large content in one part arrives whole, in runs (not byte by byte). */
static void
test_multipart_large_part(void **state)
{
	static char body[8192];
	static struct rec r;
	struct videos_multipart mp;
	size_t n = 0, content = 6000;

	(void)state;
	n += (size_t)snprintf(body + n, sizeof(body) - n, "--bound\r\nContent-Disposition: form-data; name=file\r\n\r\n");
	for (size_t i = 0; i < content; i++)
		body[n++] = (char)(i % 7 == 0 ? '\r' : 'a' + (char)(i % 26));
	n += (size_t)snprintf(body + n, sizeof(body) - n, "\r\n--bound--\r\n");
	memset(&r, 0, sizeof(r));
	assert_int_equal(parse("bound", body, n, 4096, &r, &mp), ASTRAL_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.parts[0].len, content);
}

/* ------------------------------------------------------------------ bad bodies */

static void
test_multipart_bad_framing(void **state)
{
	(void)state;
	/* Empty, no delimiter at all, no closing delimiter, cut inside a delimiter. */
	refused("b", BODY(""));
	refused("b", BODY("just some text"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nabc"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nabc\r\n--b"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\r\n\r\nabc\r\n--b-"));
	/* Cut inside the headers. */
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\r\n"));
	/* Junk after a delimiter, a single dash, LF alone after it. */
	refused("b", BODY("--bX\r\n"));
	refused("b", BODY("--b-x"));
	refused("b", BODY("--b\n"));
	refused("b", BODY("--b  x\r\n"));
	refused("b", BODY("--b\rx"));
}

static void
test_multipart_bad_headers(void **state)
{
	(void)state;
	/* Bare LF line ends. */
	refused("b", BODY("--b\nContent-Disposition: form-data; name=a\n\nx\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\n\r\nx\r\n--b--"));
	/* CR not followed by LF. */
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\rx\r\n\r\nx\r\n--b--"));
	/* No Content-Disposition, no name, empty name, two names, two dispositions. */
	refused("b", BODY("--b\r\nContent-Type: video/mp4\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; filename=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--"));
	/* Not form-data; malformed parameters; an unterminated quote. */
	refused("b", BODY("--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-datax; name=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data name=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a b\r\n\r\nx\r\n--b--"));
	/* A header line without a colon, an empty header name, a bad character in the name. */
	refused("b", BODY("--b\r\nContent-Disposition form-data; name=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\n: form-data; name=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent Disposition: form-data; name=a\r\n\r\nx\r\n--b--"));
	/* A folded header, a NUL inside a header. */
	refused("b", BODY("--b\r\nContent-Disposition: form-data;\r\n name=a\r\n\r\nx\r\n--b--"));
	refused("b", BODY("--b\r\nContent-Disposition: form-data; name=a\r\nX-A: \0\r\n\r\nx\r\n--b--"));
}

static void
test_multipart_bad_oversize(void **state)
{
	static char body[4 * VIDEOS_MP_LINE_MAX];
	size_t n;

	(void)state;
	/* A header line one byte too long. */
	n = (size_t)snprintf(body, sizeof(body), "--b\r\nX-Long: ");
	memset(body + n, 'a', VIDEOS_MP_LINE_MAX - 8 + 1);
	n += VIDEOS_MP_LINE_MAX - 8 + 1;
	n += (size_t)snprintf(body + n, sizeof(body) - n, "\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--");
	refused("b", body, n);
	/* Exactly the longest line is fine. */
	{
		static struct rec r;
		struct videos_multipart mp;

		n = (size_t)snprintf(body, sizeof(body), "--b\r\nX-Long: ");
		memset(body + n, 'a', VIDEOS_MP_LINE_MAX - 8);
		n += VIDEOS_MP_LINE_MAX - 8;
		n += (size_t)snprintf(body + n, sizeof(body) - n, "\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--");
		memset(&r, 0, sizeof(r));
		assert_int_equal(parse("b", body, n, 0, &r, &mp), ASTRAL_OK);
		assert_int_equal(r.n, 1);
	}
	/* A name one byte longer than allowed. */
	n = (size_t)snprintf(body, sizeof(body), "--b\r\nContent-Disposition: form-data; name=");
	memset(body + n, 'n', VIDEOS_MP_NAME_MAX + 1);
	n += VIDEOS_MP_NAME_MAX + 1;
	n += (size_t)snprintf(body + n, sizeof(body) - n, "\r\n\r\nx\r\n--b--");
	refused("b", body, n);
	/* Too many header lines. */
	n = (size_t)snprintf(body, sizeof(body), "--b\r\n");
	for (int i = 0; i < VIDEOS_MP_HEADERS_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "X-%d: y\r\n", i);
	n += (size_t)snprintf(body + n, sizeof(body) - n, "Content-Disposition: form-data; name=a\r\n\r\nx\r\n--b--");
	refused("b", body, n);
	/* Too many parts. */
	n = 0;
	for (int i = 0; i <= VIDEOS_MP_PARTS_MAX; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "--b\r\nContent-Disposition: form-data; name=p%d\r\n\r\nx\r\n", i);
	n += (size_t)snprintf(body + n, sizeof(body) - n, "--b--");
	refused("b", body, n);
}

/* The sink's own error (a file over its limit, say) stops the parser and is what it answers. */
static void
test_multipart_bad_sink_error(void **state)
{
	static const char body[] =
		"--b\r\nContent-Disposition: form-data; name=file\r\n\r\n0123456789abcdef\r\n--b--";
	static struct rec r;
	struct videos_multipart mp;

	(void)state;
	for (size_t chunk = 0; chunk <= 4; chunk++) {
		memset(&r, 0, sizeof(r));
		r.fail_after = 10;
		r.fail_with = ASTRAL_ERR_TOO_LARGE;
		assert_int_equal(parse("b", BODY(body), chunk, &r, &mp), ASTRAL_ERR_TOO_LARGE);
		assert_true(mp.sink_failed);
		assert_null(mp.problem);
		assert_int_equal(videos_mp_feed(&mp, (const unsigned char *)"x", 1), ASTRAL_ERR_TOO_LARGE);
		assert_false(r.parts[0].ended);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multipart_boundary),
		cmocka_unit_test(test_multipart_bad_boundary),
		cmocka_unit_test(test_multipart_two_parts),
		cmocka_unit_test(test_multipart_out_of_order),
		cmocka_unit_test(test_multipart_preamble_epilogue_padding),
		cmocka_unit_test(test_multipart_quoted_params),
		cmocka_unit_test(test_multipart_crlf_edges),
		cmocka_unit_test(test_multipart_no_parts),
		cmocka_unit_test(test_multipart_large_part),
		cmocka_unit_test(test_multipart_bad_framing),
		cmocka_unit_test(test_multipart_bad_headers),
		cmocka_unit_test(test_multipart_bad_oversize),
		cmocka_unit_test(test_multipart_bad_sink_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
