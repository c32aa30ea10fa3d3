/* The streaming multipart/form-data parser: see multipart.h. */
#include <string.h>
#include <strings.h>

#include "multipart.h"

/* ------------------------------------------------------------------ header parameters */

static int
is_tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *
skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* A token at *s into out (1..outlen-1 bytes). 0 when there is none or it does not fit. */
static int
read_token(const char **s, char *out, size_t outlen)
{
	size_t n = 0;

	while (is_tchar((unsigned char)(*s)[n]))
		n++;
	if (n == 0 || n >= outlen)
		return 0;
	memcpy(out, *s, n);
	out[n] = '\0';
	*s += n;
	return 1;
}

/* A quoted-string at *s (opening quote included), unescaped into out. 0 when malformed, when it
   holds a control character, or when it does not fit. */
static int
read_quoted(const char **s, char *out, size_t outlen)
{
	const char *p = *s + 1;
	size_t n = 0;

	for (;;) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			break;
		if (c == '\\') {
			p++;
			c = (unsigned char)*p;
		}
		if (c == '\0' || (c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
		if (n + 1 >= outlen)
			return 0;
		out[n++] = (char)c;
		p++;
	}
	out[n] = '\0';
	*s = p + 1;
	return 1;
}

/* The next `; name=value` of a header value at *s, value a token or a quoted string.
   1 with name (lower-cased) and value filled, 0 at the end, -1 when malformed. */
static int
param_next(const char **s, char *name, size_t namelen, char *value, size_t valuelen)
{
	const char *p = skip_ows(*s);

	if (*p == '\0')
		return 0;
	if (*p != ';')
		return -1;
	p = skip_ows(p + 1);
	if (!read_token(&p, name, namelen))
		return -1;
	for (char *c = name; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	p = skip_ows(p);
	if (*p != '=')
		return -1;
	p = skip_ows(p + 1);
	if (*p == '"') {
		if (!read_quoted(&p, value, valuelen))
			return -1;
	} else if (!read_token(&p, value, valuelen)) {
		return -1;
	}
	*s = p;
	return 1;
}

/* RFC 2046 bchars: a space is allowed inside the boundary but not at its end. */
static int
boundary_valid(const char *b)
{
	size_t n = strlen(b);

	if (n == 0 || n > VIDEOS_MP_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)b[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      strchr("'()+_,-./:=? ", c) != NULL))
			return 0;
	}
	return 1;
}

astral_err
videos_mp_boundary(const char *content_type, char *out, size_t outlen)
{
	static const char type[] = "multipart/form-data";
	char name[32], value[VIDEOS_MP_LINE_MAX + 1];
	const char *p;
	int found = 0, r;

	if (content_type == NULL || outlen < VIDEOS_MP_BOUNDARY_MAX + 1)
		return ASTRAL_ERR_INVALID;
	p = skip_ows(content_type);
	if (strncasecmp(p, type, sizeof(type) - 1) != 0)
		return ASTRAL_ERR_INVALID;
	p += sizeof(type) - 1;
	while ((r = param_next(&p, name, sizeof(name), value, sizeof(value))) == 1) {
		if (strcmp(name, "boundary") != 0)
			continue;
		if (found || !boundary_valid(value))
			return ASTRAL_ERR_INVALID;
		memcpy(out, value, strlen(value) + 1);
		found = 1;
	}
	return r == 0 && found ? ASTRAL_OK : ASTRAL_ERR_INVALID;
}

/* ------------------------------------------------------------------ the state machine */

void
videos_mp_init(struct videos_multipart *mp, const char *boundary, const struct videos_mp_sink *sink, void *ctx)
{
	size_t n = strlen(boundary);

	memset(mp, 0, sizeof(*mp));
	if (n > VIDEOS_MP_BOUNDARY_MAX)
		n = VIDEOS_MP_BOUNDARY_MAX;
	memcpy(mp->delimiter, "\r\n--", 4);
	memcpy(mp->delimiter + 4, boundary, n);
	mp->delimiter_len = 4 + n;
	mp->sink = sink;
	mp->ctx = ctx;
	/* The body may open with the delimiter itself: read it as if a CRLF came before. */
	mp->state = VIDEOS_MP_PREAMBLE;
	mp->match = 2;
}

static astral_err
fail(struct videos_multipart *mp, const char *problem)
{
	mp->state = VIDEOS_MP_FAILED;
	mp->error = ASTRAL_ERR_INVALID;
	mp->problem = problem;
	return mp->error;
}

static astral_err
sink_fail(struct videos_multipart *mp, astral_err err)
{
	mp->state = VIDEOS_MP_FAILED;
	mp->error = err;
	mp->sink_failed = 1;
	return err;
}

/* Content bytes of the current part (nothing in the preamble). */
static astral_err
emit(struct videos_multipart *mp, const unsigned char *buf, size_t len)
{
	astral_err err;

	if (len == 0 || mp->state != VIDEOS_MP_DATA)
		return ASTRAL_OK;
	err = mp->sink->data(mp->ctx, buf, len);
	return err == ASTRAL_OK ? ASTRAL_OK : sink_fail(mp, err);
}

/* The Content-Disposition value of a part: form-data with a name. */
static astral_err
parse_disposition(struct videos_multipart *mp, const char *v)
{
	static const char type[] = "form-data";
	char name[32], value[VIDEOS_MP_LINE_MAX + 1];
	int r, has_name = 0;

	if (mp->has_disposition)
		return fail(mp, "a part has two Content-Disposition headers");
	mp->has_disposition = 1;
	if (strncasecmp(v, type, sizeof(type) - 1) != 0 || is_tchar((unsigned char)v[sizeof(type) - 1]))
		return fail(mp, "a part is not form-data");
	v += sizeof(type) - 1;
	while ((r = param_next(&v, name, sizeof(name), value, sizeof(value))) == 1) {
		if (strcmp(name, "name") == 0) {
			size_t n = strlen(value);

			if (has_name)
				return fail(mp, "a part has two names");
			if (n == 0)
				return fail(mp, "a part has an empty name");
			if (n > VIDEOS_MP_NAME_MAX)
				return fail(mp, "a part name is too long");
			memcpy(mp->part.name, value, n + 1);
			has_name = 1;
		} else if (strcmp(name, "filename") == 0 || strcmp(name, "filename*") == 0) {
			mp->part.has_filename = 1;
		}
	}
	if (r < 0)
		return fail(mp, "a part's Content-Disposition is malformed");
	if (!has_name)
		return fail(mp, "a part has no name");
	return ASTRAL_OK;
}

/* One complete header line (without CRLF); the empty line ends the headers. */
static astral_err
header_line(struct videos_multipart *mp)
{
	static const char disposition[] = "content-disposition";
	char *line = mp->line, *colon;
	size_t nlen;
	astral_err err;

	line[mp->line_len] = '\0';
	if (mp->line_len == 0) {
		if (!mp->has_disposition)
			return fail(mp, "a part has no Content-Disposition");
		err = mp->sink->begin(mp->ctx, &mp->part);
		if (err != ASTRAL_OK)
			return sink_fail(mp, err);
		mp->state = VIDEOS_MP_DATA;
		mp->match = 0;
		return ASTRAL_OK;
	}
	if (++mp->headers > VIDEOS_MP_HEADERS_MAX)
		return fail(mp, "a part has too many headers");
	if (memchr(line, '\0', mp->line_len) != NULL)
		return fail(mp, "a part header holds a NUL byte");
	colon = strchr(line, ':');
	if (colon == NULL || colon == line)
		return fail(mp, "a part header is malformed");
	nlen = (size_t)(colon - line);
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)line[i]))
			return fail(mp, "a part header is malformed");
	if (nlen == sizeof(disposition) - 1 && strncasecmp(line, disposition, nlen) == 0)
		return parse_disposition(mp, skip_ows(colon + 1));
	return ASTRAL_OK;
}

/* Start of a part's headers, right after a delimiter line. */
static astral_err
part_start(struct videos_multipart *mp)
{
	if (++mp->parts > VIDEOS_MP_PARTS_MAX)
		return fail(mp, "the body has too many parts");
	memset(&mp->part, 0, sizeof(mp->part));
	mp->has_disposition = 0;
	mp->headers = 0;
	mp->line_len = 0;
	mp->state = VIDEOS_MP_HEADERS;
	return ASTRAL_OK;
}

/* A whole delimiter was matched: the current part (if any) has ended. */
static astral_err
delimiter_seen(struct videos_multipart *mp)
{
	astral_err err;

	if (mp->state == VIDEOS_MP_DATA) {
		err = mp->sink->end(mp->ctx);
		if (err != ASTRAL_OK)
			return sink_fail(mp, err);
	}
	mp->state = VIDEOS_MP_AFTER_DELIMITER;
	mp->match = 0;
	return ASTRAL_OK;
}

/* Content (or preamble) bytes: look for the delimiter, pass the rest on in runs. Returns how
   many bytes were consumed (the delimiter's last byte included when it was found). */
static size_t
scan_content(struct videos_multipart *mp, const unsigned char *buf, size_t len, astral_err *err)
{
	size_t i = 0;

	*err = ASTRAL_OK;
	while (i < len) {
		if (mp->match == 0) {
			const unsigned char *cr = memchr(buf + i, '\r', len - i);
			size_t end = cr ? (size_t)(cr - buf) : len;

			if ((*err = emit(mp, buf + i, end - i)) != ASTRAL_OK)
				return i;
			i = end;
			if (cr == NULL)
				break;
			mp->match = 1;
			i++;
			continue;
		}
		if (buf[i] == (unsigned char)mp->delimiter[mp->match]) {
			i++;
			if (++mp->match == mp->delimiter_len) {
				*err = delimiter_seen(mp);
				return i;
			}
			continue;
		}
		/* Not the delimiter after all: what matched was content. The boundary holds no CR, so a
		   new match can only start at the current byte, which is looked at again. In the
		   preamble the virtual leading CRLF is not content (emit ignores the preamble). */
		if ((*err = emit(mp, (const unsigned char *)mp->delimiter, mp->match)) != ASTRAL_OK)
			return i;
		mp->match = 0;
	}
	return i;
}

astral_err
videos_mp_feed(struct videos_multipart *mp, const unsigned char *buf, size_t len)
{
	size_t i = 0;
	astral_err err;

	if (mp->state == VIDEOS_MP_FAILED)
		return mp->error;
	while (i < len) {
		unsigned char c = buf[i];

		switch (mp->state) {
		case VIDEOS_MP_PREAMBLE:
		case VIDEOS_MP_DATA:
			i += scan_content(mp, buf + i, len - i, &err);
			if (err != ASTRAL_OK)
				return err;
			continue;
		case VIDEOS_MP_AFTER_DELIMITER:
			if (c == '-')
				mp->state = VIDEOS_MP_CLOSE_DASH;
			else if (c == ' ' || c == '\t')
				mp->state = VIDEOS_MP_PADDING;
			else if (c == '\r')
				mp->state = VIDEOS_MP_DELIMITER_LF;
			else
				return fail(mp, "a boundary line is malformed");
			break;
		case VIDEOS_MP_CLOSE_DASH:
			if (c != '-')
				return fail(mp, "a boundary line is malformed");
			mp->state = VIDEOS_MP_EPILOGUE;
			break;
		case VIDEOS_MP_PADDING:
			if (c == '\r')
				mp->state = VIDEOS_MP_DELIMITER_LF;
			else if (c != ' ' && c != '\t')
				return fail(mp, "a boundary line is malformed");
			break;
		case VIDEOS_MP_DELIMITER_LF:
			if (c != '\n')
				return fail(mp, "a boundary line does not end in CRLF");
			if ((err = part_start(mp)) != ASTRAL_OK)
				return err;
			break;
		case VIDEOS_MP_HEADERS:
			if (c == '\r') {
				mp->state = VIDEOS_MP_HEADER_LF;
			} else if (c == '\n') {
				return fail(mp, "a part header does not end in CRLF");
			} else if (mp->line_len == 0 && mp->headers > 0 && (c == ' ' || c == '\t')) {
				return fail(mp, "folded part headers are not accepted");
			} else {
				if (mp->line_len >= VIDEOS_MP_LINE_MAX)
					return fail(mp, "a part header is too long");
				mp->line[mp->line_len++] = (char)c;
			}
			break;
		case VIDEOS_MP_HEADER_LF:
			if (c != '\n')
				return fail(mp, "a part header does not end in CRLF");
			mp->state = VIDEOS_MP_HEADERS;
			if ((err = header_line(mp)) != ASTRAL_OK)
				return err;
			mp->line_len = 0;
			break;
		case VIDEOS_MP_EPILOGUE:
			return ASTRAL_OK;
		case VIDEOS_MP_FAILED:
			return mp->error;
		}
		i++;
	}
	return ASTRAL_OK;
}

astral_err
videos_mp_finish(struct videos_multipart *mp)
{
	if (mp->state == VIDEOS_MP_FAILED)
		return mp->error;
	if (mp->state != VIDEOS_MP_EPILOGUE)
		return fail(mp, "the body ends before its closing boundary");
	return ASTRAL_OK;
}
