/* Keyset cursors of cgi-bin/posts on lib/cursor.h: four parts, the list's kind letter, the
   count, the time and the id of a page's last item (see posts.h). */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "posts.h"
#include "random.h"

#define CURSOR_COUNT_MAX 2147483647LL
/* Times are microseconds since the epoch. */
#define CURSOR_TIME_MIN (-62135596800LL * 1000000)   /* 0001-01-01 */
#define CURSOR_TIME_MAX (253402300799LL * 1000000)   /* 9999-12-31 23:59:59 */

void
posts_cursor_first(struct posts_cursor *c, char kind, int ascending)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (ascending) {
		c->count = -1;
		c->time = CURSOR_TIME_MIN;
		memcpy(c->id, "00000000-0000-0000-0000-000000000000", 37);
	} else {
		c->count = CURSOR_COUNT_MAX;
		c->time = CURSOR_TIME_MAX;
		memcpy(c->id, "ffffffff-ffff-ffff-ffff-ffffffffffff", 37);
	}
}

char *
posts_cursor_make(char kind, long long count, long long time, const char *id)
{
	struct astral_cursor c;
	char kind_text[2] = { kind, '\0' };
	char *out;

	astral_cursor_init(&c);
	if (astral_cursor_add(&c, kind_text) != ASTRAL_OK || astral_cursor_add_int(&c, count) != ASTRAL_OK ||
	    astral_cursor_add_int(&c, time) != ASTRAL_OK || astral_cursor_add(&c, id) != ASTRAL_OK)
		return NULL;
	out = malloc(ASTRAL_CURSOR_TEXT_MAX + 1);
	if (out != NULL && astral_cursor_encode(&c, out, ASTRAL_CURSOR_TEXT_MAX + 1) != ASTRAL_OK) {
		free(out);
		out = NULL;
	}
	return out;
}

const char *
posts_cursor_parse(const char *text, const char *kinds, struct posts_cursor *out)
{
	static const char *const bad = "is not a cursor of this list";
	struct astral_cursor c;
	const char *id;

	memset(out, 0, sizeof(*out));
	if (astral_cursor_decode(text, 4, &c) != ASTRAL_OK)
		return bad;
	if (strlen(c.parts[0]) != 1 || strchr(kinds, c.parts[0][0]) == NULL)
		return bad;
	if (astral_cursor_int(&c, 1, &out->count) != ASTRAL_OK || out->count < 0 || out->count > CURSOR_COUNT_MAX)
		return bad;
	if (astral_cursor_int(&c, 2, &out->time) != ASTRAL_OK || out->time < CURSOR_TIME_MIN ||
	    out->time > CURSOR_TIME_MAX)
		return bad;
	if (astral_cursor_uuid(&c, 3, &id) != ASTRAL_OK || strlen(id) != ASTRAL_UUID_STR_LEN)
		return bad;
	out->kind = c.parts[0][0];
	memcpy(out->id, id, ASTRAL_UUID_STR_LEN + 1);
	return NULL;
}
