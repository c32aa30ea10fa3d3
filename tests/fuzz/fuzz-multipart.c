/* libFuzzer target for the multipart/form-data parser of cgi-bin/videos (multipart.c). The input
   is a Content-Type line, a newline, then the body. The body is parsed twice, at once and in
   chunks whose size the first byte of the body picks; both must reach the same verdict with the
   same parts and content, the sink's calls must come in order (begin, data, end), names must be
   non-empty and bounded, and no more content may come out than went in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../cgi-bin/videos/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_DEFAULT_BOUNDARY "fuzzb0undary"

struct trace {
	int parts, open;
	size_t bytes;
	uint64_t hash;              /* FNV-1a over names, content and part ends */
};

static void
mix(struct trace *t, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	for (size_t i = 0; i < len; i++) {
		t->hash ^= p[i];
		t->hash *= 1099511628211ULL;
	}
}

static astral_err
t_begin(void *ctx, const struct videos_mp_part *part)
{
	struct trace *t = ctx;
	size_t n = strlen(part->name);

	if (t->open || n == 0 || n > VIDEOS_MP_NAME_MAX || t->parts >= VIDEOS_MP_PARTS_MAX)
		abort();
	t->open = 1;
	t->parts++;
	mix(t, part->name, n + 1);
	mix(t, &part->has_filename, sizeof(part->has_filename));
	return ASTRAL_OK;
}

static astral_err
t_data(void *ctx, const unsigned char *buf, size_t len)
{
	struct trace *t = ctx;

	if (!t->open || len == 0)
		abort();
	t->bytes += len;
	mix(t, buf, len);
	return ASTRAL_OK;
}

static astral_err
t_end(void *ctx)
{
	struct trace *t = ctx;

	if (!t->open)
		abort();
	t->open = 0;
	mix(t, "|", 1);
	return ASTRAL_OK;
}

static const struct videos_mp_sink sink = { t_begin, t_data, t_end };

static astral_err
run(const char *boundary, const uint8_t *body, size_t len, size_t chunk, struct trace *t)
{
	struct videos_multipart mp;
	astral_err err = ASTRAL_OK;

	memset(t, 0, sizeof(*t));
	t->hash = 14695981039346656037ULL;
	videos_mp_init(&mp, boundary, &sink, t);
	for (size_t i = 0; i < len && err == ASTRAL_OK; i += chunk)
		err = videos_mp_feed(&mp, body + i, len - i < chunk ? len - i : chunk);
	if (err == ASTRAL_OK)
		err = videos_mp_finish(&mp);
	if (err != ASTRAL_OK && (err != ASTRAL_ERR_INVALID || mp.problem == NULL || mp.sink_failed))
		abort();
	if (err == ASTRAL_OK && t->open)
		abort();
	return err;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char ct[256], boundary[VIDEOS_MP_BOUNDARY_MAX + 1];
	const uint8_t *body;
	size_t len, chunk;
	struct trace whole, pieces;
	astral_err a, b;

	if (nl == NULL || (size_t)(nl - data) >= sizeof(ct))
		return 0;
	memcpy(ct, data, (size_t)(nl - data));
	ct[nl - data] = '\0';
	/* A Content-Type that is refused still lets the body be parsed, with a fixed boundary. */
	if (videos_mp_boundary(ct, boundary, sizeof(boundary)) != ASTRAL_OK)
		memcpy(boundary, FUZZ_DEFAULT_BOUNDARY, sizeof(FUZZ_DEFAULT_BOUNDARY));
	else if (boundary[0] == '\0' || strlen(boundary) > VIDEOS_MP_BOUNDARY_MAX || strpbrk(boundary, "\r\n\"") != NULL) {
		abort();
	}
	body = nl + 1;
	len = size - (size_t)(body - data);
	chunk = len > 0 ? (size_t)body[0] % 61 + 1 : 1;
	a = run(boundary, body, len, len > 0 ? len : 1, &whole);
	b = run(boundary, body, len, chunk, &pieces);
	if (a != b || whole.bytes > len)
		abort();
	if (a == ASTRAL_OK && (whole.parts != pieces.parts || whole.bytes != pieces.bytes || whole.hash != pieces.hash))
		abort();
	return 0;
}
