/* A CSV document written cell by cell: see struct wellness_csv in wellness.h. RFC 4180 says
   how to quote; OWASP's "CSV injection" advice says how to keep a cell from being a formula. */
#include <stdio.h>
#include <string.h>

#include "wellness.h"

static void
csv_separator(struct wellness_csv *c)
{
	if (c->row_open)
		astral_strbuf_add(&c->text, ",", 1);
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
		astral_strbuf_add(&c->text, "\"", 1);
	if (formula)
		astral_strbuf_add(&c->text, "'", 1);
	for (const char *p = s; *p != '\0';) {
		const char *q = strchr(p, '"');
		size_t n = q ? (size_t)(q - p) : strlen(p);

		astral_strbuf_add(&c->text, p, n);
		if (q == NULL)
			break;
		astral_strbuf_add(&c->text, "\"\"", 2);
		p = q + 1;
	}
	if (quote)
		astral_strbuf_add(&c->text, "\"", 1);
}

void
wellness_csv_int(struct wellness_csv *c, long long v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", v);

	csv_separator(c);
	if (n > 0 && (size_t)n < sizeof(num))
		astral_strbuf_add(&c->text, num, (size_t)n);
}

void
wellness_csv_end_row(struct wellness_csv *c)
{
	astral_strbuf_add(&c->text, "\r\n", 2);
	c->row_open = 0;
}

astral_err
wellness_csv_finish(struct wellness_csv *c, char **out, size_t *len)
{
	size_t n = c->text.len;

	*out = astral_strbuf_take(&c->text);
	c->row_open = 0;
	if (*out == NULL)
		return ASTRAL_ERR_NOMEM;
	*len = n;
	return ASTRAL_OK;
}

void
wellness_csv_free(struct wellness_csv *c)
{
	astral_strbuf_free(&c->text);
	c->row_open = 0;
}
