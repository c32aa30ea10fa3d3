/* Time-based one-time passwords (RFC 6238) over OpenSSL HMAC. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "digest.h"
#include "encoding.h"
#include "totp.h"

static const uint32_t pow10_table[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

static const char *
alg_name(enum astral_totp_alg alg)
{
	switch (alg) {
	case ASTRAL_TOTP_SHA1:   return "SHA1";
	case ASTRAL_TOTP_SHA256: return "SHA256";
	case ASTRAL_TOTP_SHA512: return "SHA512";
	}
	return NULL;
}

/* RFC 4226 HOTP for a counter. */
static astral_err
hotp(const unsigned char *secret, size_t len, uint64_t counter, unsigned digits,
    enum astral_totp_alg alg, uint32_t *code)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0, off;
	const char *name = alg_name(alg);
	astral_err err;
	uint32_t bin;
	int i;

	if (name == NULL)
		return ASTRAL_ERR_INVALID;
	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	err = astral_hmac(name, secret, len, msg, sizeof(msg), mac, sizeof(mac), &maclen);
	if (err != ASTRAL_OK)
		goto out;
	if (maclen < 20) {
		err = ASTRAL_ERR_CRYPTO;
		goto out;
	}
	off = mac[maclen - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	    (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	*code = bin % pow10_table[digits];
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	return err;
}

astral_err
astral_totp_code(const unsigned char *secret, size_t len, int64_t unix_time,
    unsigned digits, enum astral_totp_alg alg, uint32_t *code)
{
	*code = 0;
	if (secret == NULL || len == 0 || unix_time < 0 || digits < 6 || digits > 8)
		return ASTRAL_ERR_INVALID;
	return hotp(secret, len, (uint64_t)(unix_time / ASTRAL_TOTP_PERIOD), digits, alg, code);
}

astral_err
astral_totp_verify(const unsigned char *secret, size_t len, const char *code_text,
    int64_t now, int64_t last_step, int64_t *matched_step)
{
	int64_t step, s, found = -1;
	astral_err err = ASTRAL_ERR_INVALID;
	int i;

	*matched_step = -1;
	if (secret == NULL || len == 0 || code_text == NULL || now < 0)
		goto out;
	for (i = 0; i < ASTRAL_TOTP_DIGITS; i++)
		if (code_text[i] < '0' || code_text[i] > '9')
			goto out;
	if (code_text[ASTRAL_TOTP_DIGITS] != '\0')
		goto out;
	step = now / ASTRAL_TOTP_PERIOD;
	/* Every candidate step is computed and compared, match or not. */
	for (s = step - 1; s <= step + 1; s++) {
		char got[ASTRAL_TOTP_DIGITS + 1];
		uint32_t code = 0;
		int same;

		if (s < 0)
			continue;
		err = hotp(secret, len, (uint64_t)s, ASTRAL_TOTP_DIGITS, ASTRAL_TOTP_SHA1, &code);
		if (err != ASTRAL_OK)
			goto out;
		if (snprintf(got, sizeof(got), "%06u", (unsigned)code) != ASTRAL_TOTP_DIGITS) {
			err = ASTRAL_ERR_INTERNAL;
			goto out;
		}
		same = CRYPTO_memcmp(got, code_text, ASTRAL_TOTP_DIGITS) == 0;
		if (same && s > last_step && found < 0)
			found = s;
		OPENSSL_cleanse(got, sizeof(got));
	}
	if (found < 0) {
		err = ASTRAL_ERR_UNAUTHORIZED;
		goto out;
	}
	*matched_step = found;
	err = ASTRAL_OK;
out:
	return err;
}

/* Appends s percent-encoded (RFC 3986 unreserved characters kept) at *o. */
static void
percent_encode(char *buf, size_t *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			buf[(*o)++] = (char)c;
		} else {
			buf[(*o)++] = '%';
			buf[(*o)++] = hex[c >> 4];
			buf[(*o)++] = hex[c & 0x0f];
		}
	}
}

static void
append(char *buf, size_t *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(buf + *o, s, n);
	*o += n;
}

char *
astral_totp_uri(const char *issuer, const char *account, const unsigned char *secret, size_t len)
{
	static const char tail[] = "&algorithm=SHA1&digits=6&period=30";
	char *b32 = NULL, *uri = NULL;
	size_t ilen, alen, cap, o = 0;

	if (issuer == NULL || account == NULL || secret == NULL || len == 0 ||
	    *issuer == '\0' || *account == '\0')
		goto out;
	ilen = strlen(issuer);
	alen = strlen(account);
	if (ilen > 1024 || alen > 1024)
		goto out;
	b32 = astral_base32_encode(secret, len);
	if (b32 == NULL)
		goto out;
	cap = sizeof("otpauth://totp/") + 3 * ilen + 1 + 3 * alen + sizeof("?secret=") +
	    strlen(b32) + sizeof("&issuer=") + 3 * ilen + sizeof(tail) + 1;
	uri = malloc(cap);
	if (uri == NULL)
		goto out;
	append(uri, &o, "otpauth://totp/");
	percent_encode(uri, &o, issuer);
	append(uri, &o, ":");
	percent_encode(uri, &o, account);
	append(uri, &o, "?secret=");
	append(uri, &o, b32);
	append(uri, &o, "&issuer=");
	percent_encode(uri, &o, issuer);
	append(uri, &o, tail);
	uri[o] = '\0';
out:
	if (b32 != NULL) {
		OPENSSL_cleanse(b32, strlen(b32));
		free(b32);
	}
	return uri;
}
