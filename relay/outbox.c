#include <stdlib.h>
#include <string.h>

#include "outbox.h"

void
outbox_init(struct outbox *o, size_t limit)
{
	memset(o, 0, sizeof(*o));
	o->limit = limit;
}

void
outbox_free(struct outbox *o)
{
	free(o->buf);
	free(o->sizes);
	memset(o, 0, sizeof(*o));
}

/* Room for `need` more bytes after the held ones: move them to the front, then grow. */
static int
make_room(struct outbox *o, size_t need)
{
	size_t cap;
	char *nb;

	if (o->start + o->len + need <= o->cap)
		return 0;
	if (o->start > 0) {
		memmove(o->buf, o->buf + o->start, o->len);
		o->start = 0;
		if (o->len + need <= o->cap)
			return 0;
	}
	cap = o->cap > 0 ? o->cap : 65536;
	while (cap < o->len + need)
		cap *= 2;
	nb = realloc(o->buf, cap);
	if (nb == NULL)
		return -1;
	o->buf = nb;
	o->cap = cap;
	return 0;
}

static int
push_size(struct outbox *o, size_t size)
{
	size_t *ns;

	if (o->first + o->count == o->sizes_cap) {
		if (o->first > 0) {
			memmove(o->sizes, o->sizes + o->first, o->count * sizeof(*o->sizes));
			o->first = 0;
		} else {
			size_t cap = o->sizes_cap > 0 ? o->sizes_cap * 2 : 256;

			ns = realloc(o->sizes, cap * sizeof(*ns));
			if (ns == NULL)
				return -1;
			o->sizes = ns;
			o->sizes_cap = cap;
		}
	}
	o->sizes[o->first + o->count++] = size;
	return 0;
}

int
outbox_add(struct outbox *o, const char *head, size_t head_len, const char *body, size_t body_len)
{
	size_t size = head_len + body_len;

	if (o->len + size > o->limit || make_room(o, size) != 0 || push_size(o, size) != 0)
		return -1;
	memcpy(o->buf + o->start + o->len, head, head_len);
	memcpy(o->buf + o->start + o->len + head_len, body, body_len);
	o->len += size;
	return 0;
}

const char *
outbox_unwritten(const struct outbox *o, size_t *len)
{
	*len = o->len - o->written;
	return o->buf != NULL ? o->buf + o->start + o->written : NULL;
}

void
outbox_wrote(struct outbox *o, size_t n)
{
	o->written += n;
	while (o->whole < o->count && o->whole_bytes + o->sizes[o->first + o->whole] <= o->written)
		o->whole_bytes += o->sizes[o->first + o->whole++];
}

size_t
outbox_in_flight(const struct outbox *o)
{
	return o->whole;
}

int
outbox_mid_request(const struct outbox *o)
{
	return o->written > o->whole_bytes;
}

void
outbox_answered(struct outbox *o)
{
	size_t size;

	if (o->whole == 0)
		return;
	size = o->sizes[o->first++];
	o->count--;
	o->whole--;
	o->whole_bytes -= size;
	o->written -= size;
	o->start += size;
	o->len -= size;
	if (o->count == 0) {
		o->start = o->first = 0;
	}
}

void
outbox_rewind(struct outbox *o)
{
	o->written = 0;
	o->whole = 0;
	o->whole_bytes = 0;
}

size_t
outbox_count(const struct outbox *o)
{
	return o->count;
}
