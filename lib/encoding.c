/* Binary-to-text encodings: base64url, base64, hex, base32 (RFC 4648). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

static const char b64_std_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char hex_digits[] = "0123456789abcdef";

/* Value of c in a base64 alphabet whose last two symbols are c62 and c63, or -1. */
static int
b64_value(unsigned char c, char c62, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (unsigned char)c62)
		return 62;
	if (c == (unsigned char)c63)
		return 63;
	return -1;
}

static char *
b64_encode_with(const char *alphabet, int pad, const unsigned char *in, size_t len)
{
	size_t outcap, i, o = 0;
	char *out;

	if (len > (SIZE_MAX / 4) * 3 - 3)
		return NULL;
	outcap = (len + 2) / 3 * 4 + 1;
	out = malloc(outcap);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alphabet[v >> 18 & 0x3f];
		out[o++] = alphabet[v >> 12 & 0x3f];
		out[o++] = alphabet[v >> 6 & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 0x3f];
		out[o++] = alphabet[v >> 12 & 0x3f];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 0x3f];
		out[o++] = alphabet[v >> 12 & 0x3f];
		out[o++] = alphabet[v >> 6 & 0x3f];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* Decodes n symbols (no padding) of a base64 alphabet. */
static astral_err
b64_decode_with(char c62, char c63, const char *in, size_t n,
    unsigned char **out, size_t *outlen)
{
	astral_err err = ASTRAL_ERR_INVALID;
	unsigned char *buf = NULL;
	size_t rem = n % 4, len, i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (rem == 1)
		goto out;
	len = n / 4 * 3 + (rem ? rem - 1 : 0);
	buf = malloc(len ? len : 1);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		int v = b64_value((unsigned char)in[i], c62, c63);
		if (v < 0)
			goto out;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* Leftover bits must be zero so that each byte string has one encoding. */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		goto out;
	*out = buf;
	*outlen = o;
	buf = NULL;
	err = ASTRAL_OK;
out:
	free(buf);
	return err;
}

char *
astral_b64url_encode(const unsigned char *in, size_t len)
{
	return b64_encode_with(b64_url_alphabet, 0, in, len);
}

astral_err
astral_b64url_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (in == NULL && inlen > 0)
		return ASTRAL_ERR_INVALID;
	return b64_decode_with('-', '_', in, inlen, out, outlen);
}

char *
astral_b64_encode(const unsigned char *in, size_t len)
{
	return b64_encode_with(b64_std_alphabet, 1, in, len);
}

astral_err
astral_b64_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	size_t n = inlen;

	*out = NULL;
	*outlen = 0;
	if ((in == NULL && inlen > 0) || inlen % 4 != 0)
		return ASTRAL_ERR_INVALID;
	if (n > 0 && in[n - 1] == '=')
		n--;
	if (n > 0 && in[n - 1] == '=')
		n--;
	return b64_decode_with('+', '/', in, n, out, outlen);
}

char *
astral_hex_encode(const unsigned char *in, size_t len)
{
	size_t i;
	char *out;

	if (len > (SIZE_MAX - 1) / 2)
		return NULL;
	out = malloc(len * 2 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[len * 2] = '\0';
	return out;
}

int
astral_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

astral_err
astral_hex_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	astral_err err = ASTRAL_ERR_INVALID;
	unsigned char *buf = NULL;
	size_t i;

	*out = NULL;
	*outlen = 0;
	if ((in == NULL && inlen > 0) || inlen % 2 != 0)
		goto out;
	buf = malloc(inlen / 2 ? inlen / 2 : 1);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < inlen; i += 2) {
		int hi = astral_hex_digit((unsigned char)in[i]);
		int lo = astral_hex_digit((unsigned char)in[i + 1]);
		if (hi < 0 || lo < 0)
			goto out;
		buf[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*out = buf;
	*outlen = inlen / 2;
	buf = NULL;
	err = ASTRAL_OK;
out:
	free(buf);
	return err;
}

char *
astral_base32_encode(const unsigned char *in, size_t len)
{
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0;
	char *out;

	if (len > (SIZE_MAX - 8) / 8)
		return NULL;
	out = malloc((len * 8 + 4) / 5 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = base32_alphabet[acc >> bits & 0x1f];
		}
	}
	if (bits > 0)
		out[o++] = base32_alphabet[acc << (5 - bits) & 0x1f];
	out[o] = '\0';
	return out;
}

static int
base32_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

astral_err
astral_base32_decode(const char *in, size_t inlen, unsigned char **out, size_t *outlen)
{
	astral_err err = ASTRAL_ERR_INVALID;
	unsigned char *buf = NULL;
	size_t i, nsym = 0, npad = 0, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	*out = NULL;
	*outlen = 0;
	if (in == NULL && inlen > 0)
		goto out;
	/* Each 5 bits of input gives at most 5/8 byte; this bounds the output. */
	buf = malloc(inlen / 8 * 5 + 5);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	for (i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];
		int v;

		if (c == ' ' || c == '-')
			continue;
		if (c == '=') {
			npad++;
			continue;
		}
		if (npad > 0)
			goto out;       /* data after padding */
		v = base32_value(c);
		if (v < 0)
			goto out;
		nsym++;
		acc = (acc << 5 | (uint32_t)v) & 0x1fff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
		}
	}
	switch (nsym % 8) {
	case 0: case 2: case 4: case 5: case 7:
		break;
	default:
		goto out;
	}
	/* Padding, if any, completes the last group of 8: never a group of its own. */
	if (npad > 0 && (npad >= 8 || (nsym + npad) % 8 != 0))
		goto out;
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		goto out;
	*out = buf;
	*outlen = o;
	buf = NULL;
	err = ASTRAL_OK;
out:
	free(buf);
	return err;
}
