/* libFuzzer target for the hex and base32 decoders of lib/encoding.c (astral_hex_decode reads the
   sealed export a database row holds; astral_base32_decode, RFC 4648 base32, has no caller in the
   programs yet). The input is decoded as each, then encoded as each and decoded back.
   - hex: accepted exactly when of even length and all hexadecimal digits; the bytes encode back
     to the text lower-cased.
   - base32: accepted text is alphabet symbols in either case, ' ' and '-' anywhere, then at most
     the '=' that pad its symbols to a multiple of 8; the bytes encode back to its symbols
     upper-cased (so each byte string has one spelling, up to case, separators and padding).
   - a refusal is ASTRAL_ERR_INVALID with no buffer; encode then decode gives the bytes again,
     for base32 also lower-cased, grouped by spaces and padded. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/encoding.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef astral_err (*fuzz_decoder)(const char *, size_t, unsigned char **, size_t *);
typedef char *(*fuzz_encoder)(const unsigned char *, size_t);

/* Decode in with dec: abort() on a refusal other than a clean INVALID; the bytes, or NULL. */
static unsigned char *
fuzz_decode(fuzz_decoder dec, const char *in, size_t inlen, size_t *outlen)
{
	static unsigned char unset;
	unsigned char *out = &unset;
	astral_err rc;

	*outlen = 12345;
	rc = dec(in, inlen, &out, outlen);
	if (rc == ASTRAL_OK) {
		if (out == NULL)
			abort();
		return out;
	}
	if (rc != ASTRAL_ERR_INVALID || out != NULL || *outlen != 0)
		abort();
	return NULL;
}

/* abort() unless in decodes with dec to exactly want. */
static void
fuzz_decodes_to(fuzz_decoder dec, const char *in, size_t inlen, const uint8_t *want, size_t wantlen)
{
	size_t outlen;
	unsigned char *out = fuzz_decode(dec, in, inlen, &outlen);

	if (out == NULL || outlen != wantlen || (wantlen > 0 && memcmp(out, want, wantlen) != 0))
		abort();
	free(out);
}

/* data decoded with dec, then encoded back with enc (*outlen the bytes between): the text, or
   NULL when dec refuses data. */
static char *
fuzz_decode_encode(fuzz_decoder dec, fuzz_encoder enc, const uint8_t *data, size_t size, size_t *outlen)
{
	unsigned char *out = fuzz_decode(dec, (const char *)data, size, outlen);
	char *back;

	if (out == NULL)
		return NULL;
	back = enc(out, *outlen);
	if (back == NULL)
		abort();
	free(out);
	return back;
}

/* data encoded with enc, which dec decodes back to data: the text. */
static char *
fuzz_encode_decode(fuzz_encoder enc, fuzz_decoder dec, const uint8_t *data, size_t size)
{
	char *text = enc(data, size);

	if (text == NULL)
		abort();
	fuzz_decodes_to(dec, text, strlen(text), data, size);
	return text;
}

static void
fuzz_hex(const uint8_t *data, size_t size)
{
	size_t outlen, i;
	char *back = fuzz_decode_encode(astral_hex_decode, astral_hex_encode, data, size, &outlen);
	int digits = size % 2 == 0;

	for (i = 0; i < size && digits; i++)
		digits = isxdigit(data[i]) != 0;
	if ((back != NULL) != digits)
		abort();
	if (back != NULL) {
		if (outlen != size / 2 || strlen(back) != size)
			abort();
		for (i = 0; i < size; i++)
			if (back[i] != tolower(data[i]))
				abort();
		free(back);
	}
	free(fuzz_encode_decode(astral_hex_encode, astral_hex_decode, data, size));
}

/* The '=' that pad n base32 symbols to a multiple of 8 (none for a multiple of 8). */
static size_t
fuzz_base32_pad(size_t n)
{
	return (8 - n % 8) % 8;
}

/* The text's symbols upper-cased, without separators; their count, the '=' after them in *npad,
   or (size_t)-1 when it is not symbols, separators and trailing '=' at all. */
static size_t
fuzz_base32_symbols(const uint8_t *data, size_t size, char *sym, size_t *npad)
{
	size_t n = 0;

	*npad = 0;
	for (size_t i = 0; i < size; i++) {
		int c = data[i];

		if (c == ' ' || c == '-')
			continue;
		if (c == '=') {
			(*npad)++;
			continue;
		}
		if (*npad > 0 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
			return (size_t)-1;
		sym[n++] = (char)toupper(c);
	}
	sym[n] = '\0';
	return n;
}

static void
fuzz_base32(const uint8_t *data, size_t size)
{
	char *sym = malloc(size + 1), *back, *spaced;
	size_t outlen, nsym, npad, k = 0;

	if (sym == NULL)
		abort();
	back = fuzz_decode_encode(astral_base32_decode, astral_base32_encode, data, size, &outlen);
	nsym = fuzz_base32_symbols(data, size, sym, &npad);
	if (back != NULL) {
		if (nsym == (size_t)-1 || (npad != 0 && npad != fuzz_base32_pad(nsym)) || npad >= 8)
			abort();  /* something other than symbols, separators and the right padding */
		if (strcmp(back, sym) != 0)
			abort();  /* two spellings of the same bytes */
		free(back);
	}
	free(sym);

	back = fuzz_encode_decode(astral_base32_encode, astral_base32_decode, data, size);
	/* The same lower-cased, in groups of four, padded. */
	nsym = strlen(back);
	spaced = malloc(nsym + nsym / 4 + 8 + 1);
	if (spaced == NULL)
		abort();
	for (size_t i = 0; i < nsym; i++) {
		if (i > 0 && i % 4 == 0)
			spaced[k++] = ' ';
		spaced[k++] = (char)tolower((unsigned char)back[i]);
	}
	for (size_t i = 0; i < fuzz_base32_pad(nsym); i++)
		spaced[k++] = '=';
	spaced[k] = '\0';
	fuzz_decodes_to(astral_base32_decode, spaced, k, data, size);
	free(spaced);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_hex(data, size);
	fuzz_base32(data, size);
	return 0;
}
