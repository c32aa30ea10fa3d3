/* A CSV document written cell by cell: see struct wellness_csv in wellness.h. RFC 4180 says
   how to quote; OWASP's "CSV injection" advice says how to keep a cell from being a formula. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wellness.h"

static void
csv_put(struct wellness_csv *c, const char *s, size_t n)
{
	if (c->failed)
		return;
	if (c->buf == NULL || c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *nb;

		while (c->len + n + 1 > cap)
			cap *= 2;
		nb = realloc(c->buf, cap);
		if (nb == NULL) {
			c->failed = 1;
			return;
		}
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

static void
csv_separator(struct wellness_csv *c)
{
	if (c->row_open)
		csv_put(c, ",", 1);
	c->row_open = 1;
}

void
wellness_csv_text(struct wellness_csv *c, const char *s)
{
	int formula, quote;

	csv_separator(c);
	if (s == NULL || *s == '\0')
		return;
	/* A spreadsheet runs a cell that starts with = + - @ (tab and CR too, in some) as a
	   formula: a leading apostrophe makes it text. */
	formula = strchr("=+-@\t\r", s[0]) != NULL;
	quote = strpbrk(s, "\",\r\n") != NULL;
	if (quote)
		csv_put(c, "\"", 1);
	if (formula)
		csv_put(c, "'", 1);
	for (const char *p = s; *p != '\0';) {
		const char *q = strchr(p, '"');
		size_t n = q ? (size_t)(q - p) : strlen(p);

		csv_put(c, p, n);
		if (q == NULL)
			break;
		csv_put(c, "\"\"", 2);
		p = q + 1;
	}
	if (quote)
		csv_put(c, "\"", 1);
}

void
wellness_csv_int(struct wellness_csv *c, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", v);

	csv_separator(c);
	if (n > 0 && (size_t)n < sizeof(num))
		csv_put(c, num, (size_t)n);
}

void
wellness_csv_end_row(struct wellness_csv *c)
{
	csv_put(c, "\r\n", 2);
	c->row_open = 0;
}

astral_err
wellness_csv_finish(struct wellness_csv *c, char **out, size_t *len)
{
	if (c->buf == NULL)
		csv_put(c, "", 0);
	if (c->failed) {
		wellness_csv_free(c);
		return ASTRAL_ERR_NOMEM;
	}
	*out = c->buf;
	*len = c->len;
	memset(c, 0, sizeof(*c));
	return ASTRAL_OK;
}

void
wellness_csv_free(struct wellness_csv *c)
{
	free(c->buf);
	memset(c, 0, sizeof(*c));
}
