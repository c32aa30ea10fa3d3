/* Random bytes, tokens and UUIDs from OpenSSL's CSPRNG. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "encoding.h"
#include "random.h"

astral_err
astral_random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	if (buf == NULL && len > 0)
		return ASTRAL_ERR_INVALID;
	while (len > 0) {
		int chunk = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(p, chunk) != 1)
			return ASTRAL_ERR_CRYPTO;
		p += chunk;
		len -= (size_t)chunk;
	}
	return ASTRAL_OK;
}

char *
astral_random_token(size_t nbytes)
{
	unsigned char *raw = NULL;
	char *token = NULL;

	if (nbytes == 0)
		goto out;
	raw = malloc(nbytes);
	if (raw == NULL)
		goto out;
	if (astral_random_bytes(raw, nbytes) != ASTRAL_OK)
		goto out;
	token = astral_b64url_encode(raw, nbytes);
out:
	if (raw != NULL) {
		OPENSSL_cleanse(raw, nbytes);
		free(raw);
	}
	return token;
}

astral_err
astral_uuid_v4(char out[ASTRAL_UUID_STR_LEN + 1])
{
	unsigned char b[16];
	astral_err err;
	int n;

	out[0] = '\0';
	err = astral_random_bytes(b, sizeof(b));
	if (err != ASTRAL_OK)
		return err;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	n = snprintf(out, ASTRAL_UUID_STR_LEN + 1,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
	    b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	if (n != ASTRAL_UUID_STR_LEN)
		return ASTRAL_ERR_INTERNAL;
	return ASTRAL_OK;
}

int
astral_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < ASTRAL_UUID_STR_LEN; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F'))) {
			return 0;       /* also stops at a NUL before the end */
		}
	}
	return s[ASTRAL_UUID_STR_LEN] == '\0';
}
