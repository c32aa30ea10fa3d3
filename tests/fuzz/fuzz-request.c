/* libFuzzer target for the request edge: the input is split at its first two newlines into a
   query string, a Cookie header and a Content-Type. Each goes through the look-ups that read it
   (astral_query_get, astral_cookie_get, astral_content_type_is_json, astral_input_from_query)
   with buffers of exactly the size given, so that a write or read past them is caught.
   The whole input, unsplit and not NUL-terminated, is also read as the real-time publisher's
   response head (astral_publisher_parse_head). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../lib/http.h"
#include "../../lib/input.h"
#include "../../lib/publisher.h"
#include "../../lib/realtime.h"
#include "../../lib/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_colours[] = { "red", "green", "blue", NULL };
static const char *const fuzz_names[] = { "a", "ab", "text", "count", "astral_refresh", "q", "" };
static const size_t fuzz_sizes[] = { 1, 2, 3, 8, 64, 4096 };

struct fuzz_query {
	const char *text;
	const char *note;
	const char *secret;
	long long count;
	int flag;
	const char *id;
	const char *colour;
	const char *day;
	char name[33];
};

static const struct astral_field fuzz_fields[] = {
	{ "text", ASTRAL_F_TEXT, 0, 0, 20, NULL, offsetof(struct fuzz_query, text), 0 },
	{ "note", ASTRAL_F_MULTILINE, 0, 0, 200, NULL, offsetof(struct fuzz_query, note), 0 },
	{ "secret", ASTRAL_F_SECRET, 0, 1, 64, NULL, offsetof(struct fuzz_query, secret), 0 },
	{ "count", ASTRAL_F_INT, 0, -5, 100, NULL, offsetof(struct fuzz_query, count), 7 },
	{ "flag", ASTRAL_F_BOOL, 0, 0, 0, NULL, offsetof(struct fuzz_query, flag), -1 },
	{ "id", ASTRAL_F_UUID, 0, 0, 0, NULL, offsetof(struct fuzz_query, id), 0 },
	{ "colour", ASTRAL_F_ENUM, 0, 0, 0, fuzz_colours, offsetof(struct fuzz_query, colour), 0 },
	{ "day", ASTRAL_F_DATE, 0, 0, 0, NULL, offsetof(struct fuzz_query, day), 0 },
	{ "name", ASTRAL_F_USERNAME, 0, 0, 0, NULL, offsetof(struct fuzz_query, name), 0 },
};

static const struct astral_input_spec fuzz_spec = {
	fuzz_fields, sizeof(fuzz_fields) / sizeof(fuzz_fields[0]), sizeof(struct fuzz_query)
};

/* A NUL-terminated heap copy of len bytes (cut at an embedded NUL, as the environment would). */
static char *
fuzz_string(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static int
fuzz_within(const char *s, const char *store, size_t storelen)
{
	return s >= store && s < store + storelen && memchr(s, '\0', storelen - (size_t)(s - store)) != NULL;
}

static void
fuzz_query_convert(const char *query, size_t storelen)
{
	struct json_object *problems = NULL;
	struct fuzz_query in;
	char *store = malloc(storelen);   /* 0 bytes too: any write is caught */

	if (store == NULL && storelen > 0)
		abort();
	astral_input_from_query(&fuzz_spec, query, &in, store, storelen, &problems);
	if (problems != NULL) {
		if (!json_object_is_type(problems, json_type_object) || json_object_object_length(problems) == 0)
			abort();
	} else {
		const char *strs[] = { in.text, in.note, in.secret, in.id, in.colour, in.day };

		for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
			if (strs[i] != NULL && !fuzz_within(strs[i], store, storelen))
				abort();
		if (in.text && astral_check_text(in.text, strlen(in.text), 0, 20, 0) != NULL)
			abort();
		if (in.note && astral_check_text(in.note, strlen(in.note), 0, 200, 1) != NULL)
			abort();
		if (in.count < -5 || in.count > 100 || in.flag < -1 || in.flag > 1)
			abort();
		if ((in.id && astral_check_uuid(in.id)) || (in.colour && astral_check_enum(in.colour, fuzz_colours)) ||
		    (in.day && astral_check_date(in.day)))
			abort();
		if (memchr(in.name, '\0', sizeof(in.name)) == NULL)
			abort();
	}
	json_object_put(problems);
	free(store);
}

static void
fuzz_lookups(const struct astral_request *req)
{
	for (size_t n = 0; n < sizeof(fuzz_names) / sizeof(fuzz_names[0]); n++) {
		for (size_t k = 0; k < sizeof(fuzz_sizes) / sizeof(fuzz_sizes[0]); k++) {
			size_t len = fuzz_sizes[k];
			char *buf = malloc(len);
			astral_err rc;

			if (buf == NULL)
				abort();
			rc = astral_query_get(req, fuzz_names[n], buf, len);
			if (rc == ASTRAL_OK && memchr(buf, '\0', len) == NULL)
				abort();
			if (rc != ASTRAL_OK && rc != ASTRAL_ERR_NOT_FOUND && rc != ASTRAL_ERR_INVALID &&
			    rc != ASTRAL_ERR_TOO_LARGE)
				abort();
			rc = astral_cookie_get(req, fuzz_names[n], buf, len);
			if (rc == ASTRAL_OK && (memchr(buf, '\0', len) == NULL || strchr(buf, ';') != NULL))
				abort();
			if (rc != ASTRAL_OK && rc != ASTRAL_ERR_NOT_FOUND && rc != ASTRAL_ERR_TOO_LARGE)
				abort();
			free(buf);
		}
	}
}

/* An answer from the publisher: whatever is accepted is consistent, and reads the same without
   the bytes after its head. */
static void
fuzz_publisher_head(const uint8_t *data, size_t size)
{
	struct astral_publisher_head head, again;
	const char *buf = (const char *)data;
	astral_err rc = astral_publisher_parse_head(buf, size, &head);
	const char *blank;

	if (rc != ASTRAL_OK) {
		if (rc != ASTRAL_ERR_INVALID && rc != ASTRAL_ERR_TOO_LARGE)
			abort();
		return;
	}
	if (head.status < 100 || head.status > 999 || head.head_len < 16 || head.head_len > size ||
	    head.head_len > ASTRAL_PUBLISHER_HEAD_MAX || memcmp(buf + head.head_len - 4, "\r\n\r\n", 4) != 0)
		abort();
	blank = memmem(buf, size, "\r\n\r\n", 4);
	if (blank == NULL || (size_t)(blank - buf) + 4 != head.head_len)
		abort();                                   /* the head ends at the first blank line */
	if (head.content_length < -1 || head.content_length > ASTRAL_PUBLISHER_BODY_MAX)
		abort();
	if (head.keep_alive && (head.content_length < 0 || head.status < 200))
		abort();
	if (astral_publisher_parse_head(buf, head.head_len, &again) != ASTRAL_OK || again.status != head.status ||
	    again.head_len != head.head_len || again.content_length != head.content_length ||
	    again.keep_alive != head.keep_alive)
		abort();
	if (head.head_len > 4 && astral_publisher_parse_head(buf, head.head_len - 1, &again) == ASTRAL_OK)
		abort();                                   /* cut short: no blank line */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *p = data, *nl;
	char *parts[3];
	struct astral_request req;

	for (int i = 0; i < 3; i++) {
		nl = i < 2 ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		if (nl == NULL)
			nl = end;
		parts[i] = fuzz_string(p, (size_t)(nl - p));
		p = nl < end ? nl + 1 : end;
	}
	memset(&req, 0, sizeof(req));
	req.query = parts[0];
	req.cookie_header = parts[1];
	req.content_type = parts[2];

	fuzz_lookups(&req);
	if (astral_content_type_is_json(req.content_type) &&
	    strncasecmp(req.content_type, "application/json", 16) != 0)
		abort();
	/* Every store size from none to a little, then plenty. */
	for (size_t storelen = 0; storelen <= 24; storelen++)
		fuzz_query_convert(req.query, storelen);
	fuzz_query_convert(req.query, 4096);

	/* The real-time publisher's URL and status-line parsers take the same kind of text. */
	{
		char host[64], port[8], path[256];
		int status;

		if (astral_rt_parse_url(parts[0], host, sizeof(host), port, sizeof(port), path, sizeof(path)) ==
		    ASTRAL_OK && (strlen(host) == 0 || strlen(port) == 0 || path[0] != '/'))
			abort();
		if (astral_rt_parse_status(parts[1], strlen(parts[1]), &status) == ASTRAL_OK &&
		    (status < 100 || status > 999))
			abort();
	}

	fuzz_publisher_head(data, size);

	for (int i = 0; i < 3; i++)
		free(parts[i]);
	return 0;
}
