#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "encoding.h"
#include "validate.h"

#define CURSOR_MAGIC "c1"
#define CURSOR_SEPARATOR '\x1f'
#define CURSOR_PART_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:+-"

void
astral_cursor_init(struct astral_cursor *c)
{
	memset(c, 0, sizeof(*c));
}

static int
part_ok(const char *part, size_t len)
{
	return len >= 1 && len <= ASTRAL_CURSOR_PART_MAX && strspn(part, CURSOR_PART_CHARS) >= len;
}

astral_err
astral_cursor_add(struct astral_cursor *c, const char *part)
{
	size_t len;

	if (c == NULL || part == NULL || c->n >= ASTRAL_CURSOR_MAX_PARTS)
		return ASTRAL_ERR_INVALID;
	len = strlen(part);
	if (!part_ok(part, len))
		return ASTRAL_ERR_INVALID;
	memcpy(c->parts[c->n], part, len + 1);
	c->n++;
	return ASTRAL_OK;
}

astral_err
astral_cursor_add_int(struct astral_cursor *c, long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lld", v);
	return astral_cursor_add(c, buf);
}

astral_err
astral_cursor_encode(const struct astral_cursor *c, char *out, size_t outlen)
{
	char raw[sizeof(CURSOR_MAGIC) + ASTRAL_CURSOR_MAX_PARTS * (ASTRAL_CURSOR_PART_MAX + 1)];
	size_t off = sizeof(CURSOR_MAGIC) - 1, len;
	char *text;

	if (c == NULL || out == NULL || c->n == 0 || c->n > ASTRAL_CURSOR_MAX_PARTS)
		return ASTRAL_ERR_INVALID;
	memcpy(raw, CURSOR_MAGIC, off);
	for (size_t i = 0; i < c->n; i++) {
		len = strlen(c->parts[i]);
		raw[off++] = CURSOR_SEPARATOR;
		memcpy(raw + off, c->parts[i], len);
		off += len;
	}
	text = astral_b64url_encode((const unsigned char *)raw, off);
	if (text == NULL)
		return ASTRAL_ERR_NOMEM;
	len = strlen(text);
	if (len + 1 > outlen) {
		free(text);
		return ASTRAL_ERR_TOO_LARGE;
	}
	memcpy(out, text, len + 1);
	free(text);
	return ASTRAL_OK;
}

astral_err
astral_cursor_encode_parts(const char *const *parts, size_t nparts, char *out, size_t outlen)
{
	struct astral_cursor c;
	astral_err err = ASTRAL_ERR_INVALID;

	if (parts == NULL || nparts == 0 || nparts > ASTRAL_CURSOR_MAX_PARTS)
		goto out;
	astral_cursor_init(&c);
	for (size_t i = 0; i < nparts; i++) {
		err = astral_cursor_add(&c, parts[i]);
		if (err != ASTRAL_OK)
			goto out;
	}
	err = astral_cursor_encode(&c, out, outlen);
out:
	return err;
}

astral_err
astral_cursor_decode(const char *text, size_t nparts, struct astral_cursor *c)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0, len, off;
	astral_err err = ASTRAL_ERR_INVALID;

	if (c == NULL)
		return ASTRAL_ERR_INVALID;
	astral_cursor_init(c);
	if (text == NULL || nparts == 0 || nparts > ASTRAL_CURSOR_MAX_PARTS)
		return ASTRAL_ERR_INVALID;
	len = strlen(text);
	if (len == 0 || len > ASTRAL_CURSOR_TEXT_MAX)
		return ASTRAL_ERR_INVALID;
	if (astral_b64url_decode(text, len, &raw, &rawlen) != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	off = sizeof(CURSOR_MAGIC) - 1;
	if (rawlen < off || memcmp(raw, CURSOR_MAGIC, off) != 0)
		goto out;
	while (off < rawlen) {
		size_t start, plen;

		if (raw[off] != CURSOR_SEPARATOR || c->n == nparts)
			goto out;
		start = ++off;
		while (off < rawlen && raw[off] != CURSOR_SEPARATOR)
			off++;
		plen = off - start;
		if (plen == 0 || plen > ASTRAL_CURSOR_PART_MAX)
			goto out;
		memcpy(c->parts[c->n], raw + start, plen);
		c->parts[c->n][plen] = '\0';
		if (!part_ok(c->parts[c->n], plen))
			goto out;
		c->n++;
	}
	if (c->n != nparts)
		goto out;
	err = ASTRAL_OK;
out:
	free(raw);
	if (err != ASTRAL_OK)
		astral_cursor_init(c);
	return err;
}

astral_err
astral_cursor_int(const struct astral_cursor *c, size_t i, long long *out)
{
	if (c == NULL || out == NULL || i >= c->n)
		return ASTRAL_ERR_INVALID;
	return astral_check_int(c->parts[i], LLONG_MIN, LLONG_MAX, out) == NULL ? ASTRAL_OK : ASTRAL_ERR_INVALID;
}

astral_err
astral_cursor_uuid(const struct astral_cursor *c, size_t i, const char **out)
{
	if (c == NULL || out == NULL || i >= c->n || astral_check_uuid(c->parts[i]) != NULL)
		return ASTRAL_ERR_INVALID;
	*out = c->parts[i];
	return ASTRAL_OK;
}

astral_err
astral_cursor_add_text(struct astral_cursor *c, const char *text)
{
	char *encoded;
	size_t len;
	astral_err err;

	if (text == NULL)
		return ASTRAL_ERR_INVALID;
	len = strlen(text);
	if (len == 0 || len > ASTRAL_CURSOR_TEXT_PART_MAX)
		return ASTRAL_ERR_INVALID;
	encoded = astral_b64url_encode((const unsigned char *)text, len);
	if (encoded == NULL)
		return ASTRAL_ERR_NOMEM;
	err = astral_cursor_add(c, encoded);
	free(encoded);
	return err;
}

astral_err
astral_cursor_text(const struct astral_cursor *c, size_t i, char *buf, size_t len)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	astral_err err = ASTRAL_ERR_INVALID;

	if (c == NULL || buf == NULL || i >= c->n)
		return ASTRAL_ERR_INVALID;
	if (astral_b64url_decode(c->parts[i], strlen(c->parts[i]), &raw, &rawlen) != ASTRAL_OK)
		return ASTRAL_ERR_INVALID;
	if (rawlen == 0 || rawlen > ASTRAL_CURSOR_TEXT_PART_MAX || rawlen + 1 > len ||
	    astral_check_text((const char *)raw, rawlen, 1, ASTRAL_CURSOR_TEXT_PART_MAX, 0) != NULL)
		goto out;
	memcpy(buf, raw, rawlen);
	buf[rawlen] = '\0';
	err = ASTRAL_OK;
out:
	free(raw);
	return err;
}
