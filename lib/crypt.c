/* AES-256-GCM field encryption with versioned keys. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypt.h"
#include "random.h"

static void
put_header(unsigned char *h, uint32_t version)
{
	h[0] = ASTRAL_SEAL_FORMAT;
	h[1] = (unsigned char)(version >> 24);
	h[2] = (unsigned char)(version >> 16);
	h[3] = (unsigned char)(version >> 8);
	h[4] = (unsigned char)version;
}

astral_err
astral_seal(const unsigned char key[32], uint32_t version, const char *aad,
    const void *pt, size_t ptlen, unsigned char **out, size_t *outlen)
{
	astral_err err = ASTRAL_ERR_INVALID;
	EVP_CIPHER_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	unsigned char *buf = NULL, *nonce, *body, *tag;
	size_t aadlen, buflen = 0;
	int n = 0;

	*out = NULL;
	*outlen = 0;
	if (key == NULL || aad == NULL || version == 0 || (pt == NULL && ptlen > 0))
		goto out;
	aadlen = strlen(aad);
	if (aadlen > ASTRAL_SEAL_MAX_AAD)
		goto out;
	if (ptlen > (size_t)INT_MAX - ASTRAL_SEAL_OVERHEAD) {
		err = ASTRAL_ERR_TOO_LARGE;
		goto out;
	}
	buflen = ASTRAL_SEAL_OVERHEAD + ptlen;
	buf = malloc(buflen);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	put_header(buf, version);
	nonce = buf + ASTRAL_SEAL_HEADER_LEN;
	body = nonce + ASTRAL_SEAL_NONCE_LEN;
	tag = body + ptlen;
	err = astral_random_bytes(nonce, ASTRAL_SEAL_NONCE_LEN);
	if (err != ASTRAL_OK)
		goto out;
	err = ASTRAL_ERR_CRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, NULL) != 1)
		goto out;
	if (EVP_EncryptUpdate(ctx, NULL, &n, buf, ASTRAL_SEAL_HEADER_LEN) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aadlen) != 1)
		goto out;
	if (ptlen > 0) {
		if (EVP_EncryptUpdate(ctx, body, &n, pt, (int)ptlen) != 1 || (size_t)n != ptlen)
			goto out;
	}
	if (EVP_EncryptFinal_ex(ctx, body + ptlen, &n) != 1 || n != 0)
		goto out;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
	    tag, ASTRAL_SEAL_TAG_LEN);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_CIPHER_CTX_get_params(ctx, params) != 1)
		goto out;
	*out = buf;
	*outlen = buflen;
	buf = NULL;
	err = ASTRAL_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, buflen);
		free(buf);
	}
	return err;
}

astral_err
astral_open(const unsigned char key[32], const char *aad,
    const unsigned char *ct, size_t ctlen, char **pt, size_t *ptlen)
{
	astral_err err = ASTRAL_ERR_INVALID;
	EVP_CIPHER_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	unsigned char tag[ASTRAL_SEAL_TAG_LEN];
	const unsigned char *nonce, *body;
	char *buf = NULL;
	size_t aadlen, bodylen = 0;
	int n = 0;

	*pt = NULL;
	*ptlen = 0;
	if (key == NULL || aad == NULL || ct == NULL)
		goto out;
	if (ctlen < ASTRAL_SEAL_OVERHEAD || ct[0] != ASTRAL_SEAL_FORMAT)
		goto out;
	if (ctlen > (size_t)INT_MAX) {
		err = ASTRAL_ERR_TOO_LARGE;
		goto out;
	}
	aadlen = strlen(aad);
	if (aadlen > ASTRAL_SEAL_MAX_AAD)
		goto out;
	nonce = ct + ASTRAL_SEAL_HEADER_LEN;
	body = nonce + ASTRAL_SEAL_NONCE_LEN;
	bodylen = ctlen - ASTRAL_SEAL_OVERHEAD;
	memcpy(tag, body + bodylen, sizeof(tag));
	buf = malloc(bodylen + 1);
	if (buf == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	err = ASTRAL_ERR_CRYPTO;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, nonce, NULL) != 1)
		goto out;
	if (EVP_DecryptUpdate(ctx, NULL, &n, ct, ASTRAL_SEAL_HEADER_LEN) != 1)
		goto out;
	if (aadlen > 0 &&
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad, (int)aadlen) != 1)
		goto out;
	if (bodylen > 0) {
		if (EVP_DecryptUpdate(ctx, (unsigned char *)buf, &n, body, (int)bodylen) != 1 ||
		    (size_t)n != bodylen)
			goto out;
	}
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
	    tag, sizeof(tag));
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_CIPHER_CTX_set_params(ctx, params) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(ctx, (unsigned char *)buf + bodylen, &n) != 1)
		goto out;
	buf[bodylen] = '\0';
	*pt = buf;
	*ptlen = bodylen;
	buf = NULL;
	err = ASTRAL_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (buf != NULL) {
		OPENSSL_cleanse(buf, bodylen + 1);
		free(buf);
	}
	return err;
}

astral_err
astral_sealed_version(const unsigned char *ct, size_t ctlen, uint32_t *version)
{
	uint32_t v;

	*version = 0;
	if (ct == NULL || ctlen < ASTRAL_SEAL_OVERHEAD || ct[0] != ASTRAL_SEAL_FORMAT)
		return ASTRAL_ERR_INVALID;
	v = (uint32_t)ct[1] << 24 | (uint32_t)ct[2] << 16 | (uint32_t)ct[3] << 8 | ct[4];
	if (v == 0)
		return ASTRAL_ERR_INVALID;
	*version = v;
	return ASTRAL_OK;
}

static int
aad_part_ok(const char *s)
{
	return s != NULL && *s != '\0' && strchr(s, '|') == NULL;
}

char *
astral_aad(const char *table, const char *column, const char *row_id)
{
	size_t a, b, c;
	char *out;

	if (!aad_part_ok(table) || !aad_part_ok(column) || !aad_part_ok(row_id))
		return NULL;
	a = strlen(table);
	b = strlen(column);
	c = strlen(row_id);
	if (a > ASTRAL_SEAL_MAX_AAD || b > ASTRAL_SEAL_MAX_AAD || c > ASTRAL_SEAL_MAX_AAD)
		return NULL;
	out = malloc(a + b + c + 3);
	if (out == NULL)
		return NULL;
	memcpy(out, table, a);
	out[a] = '|';
	memcpy(out + a + 1, column, b);
	out[a + 1 + b] = '|';
	memcpy(out + a + b + 2, row_id, c);
	out[a + b + c + 2] = '\0';
	return out;
}

astral_err
astral_dek_generate(unsigned char dek[ASTRAL_DEK_LEN])
{
	return astral_random_bytes(dek, ASTRAL_DEK_LEN);
}

/* AAD for a wrapped DEK: "<key table>|dek|<owner id>"; *aad is NULL on error. */
static astral_err
dek_aad(const char *table, const char *owner_id, char **aad)
{
	*aad = NULL;
	if (!aad_part_ok(table) || !aad_part_ok(owner_id))
		return ASTRAL_ERR_INVALID;
	*aad = astral_aad(table, "dek", owner_id);
	return *aad == NULL ? ASTRAL_ERR_NOMEM : ASTRAL_OK;
}

astral_err
astral_dek_wrap(struct astral_keyring *kr, const char *user_id,
    const unsigned char dek[ASTRAL_DEK_LEN], unsigned char **wrapped, size_t *wlen)
{
	return astral_key_wrap(kr, ASTRAL_USER_KEYS, user_id, dek, wrapped, wlen);
}

astral_err
astral_dek_unwrap(struct astral_keyring *kr, const char *user_id,
    const unsigned char *wrapped, size_t wlen, unsigned char dek[ASTRAL_DEK_LEN])
{
	return astral_key_unwrap(kr, ASTRAL_USER_KEYS, user_id, wrapped, wlen, dek);
}

astral_err
astral_key_wrap(struct astral_keyring *kr, const char *table, const char *owner_id,
    const unsigned char dek[ASTRAL_DEK_LEN], unsigned char **wrapped, size_t *wlen)
{
	const unsigned char *key;
	char *aad = NULL;
	uint32_t version;
	astral_err err;

	*wrapped = NULL;
	*wlen = 0;
	if (kr == NULL || dek == NULL) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	err = dek_aad(table, owner_id, &aad);
	if (err != ASTRAL_OK)
		goto out;
	version = astral_keyring_current(kr);
	key = astral_keyring_key(kr, version);
	if (key == NULL) {
		err = ASTRAL_ERR_CRYPTO;
		goto out;
	}
	err = astral_seal(key, version, aad, dek, ASTRAL_DEK_LEN, wrapped, wlen);
out:
	free(aad);
	return err;
}

astral_err
astral_key_unwrap(struct astral_keyring *kr, const char *table, const char *owner_id,
    const unsigned char *wrapped, size_t wlen, unsigned char dek[ASTRAL_DEK_LEN])
{
	const unsigned char *key;
	char *aad = NULL, *pt = NULL;
	size_t ptlen = 0;
	uint32_t version;
	astral_err err;

	if (kr == NULL || dek == NULL) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	err = dek_aad(table, owner_id, &aad);
	if (err != ASTRAL_OK)
		goto out;
	err = astral_sealed_version(wrapped, wlen, &version);
	if (err != ASTRAL_OK)
		goto out;
	key = astral_keyring_key(kr, version);
	if (key == NULL) {
		err = ASTRAL_ERR_CRYPTO;
		goto out;
	}
	err = astral_open(key, aad, wrapped, wlen, &pt, &ptlen);
	if (err != ASTRAL_OK)
		goto out;
	if (ptlen != ASTRAL_DEK_LEN) {
		err = ASTRAL_ERR_CRYPTO;
		goto out;
	}
	memcpy(dek, pt, ASTRAL_DEK_LEN);
out:
	if (pt != NULL) {
		OPENSSL_cleanse(pt, ptlen);
		free(pt);
	}
	free(aad);
	return err;
}

astral_err
astral_field_seal(const unsigned char dek[32], const char *table, const char *column,
    const char *row_id, const char *text, unsigned char **out, size_t *outlen)
{
	char *aad = NULL;
	astral_err err = ASTRAL_ERR_INVALID;

	*out = NULL;
	*outlen = 0;
	if (dek == NULL || text == NULL)
		goto out;
	if (!aad_part_ok(table) || !aad_part_ok(column) || !aad_part_ok(row_id))
		goto out;
	aad = astral_aad(table, column, row_id);
	if (aad == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	err = astral_seal(dek, ASTRAL_FIELD_DEK_VERSION, aad, text, strlen(text), out, outlen);
out:
	free(aad);
	return err;
}

astral_err
astral_field_open(const unsigned char dek[32], const char *table, const char *column,
    const char *row_id, const unsigned char *ct, size_t ctlen, char **text)
{
	char *aad = NULL, *pt = NULL;
	size_t ptlen = 0;
	astral_err err = ASTRAL_ERR_INVALID;

	*text = NULL;
	if (dek == NULL)
		goto out;
	if (!aad_part_ok(table) || !aad_part_ok(column) || !aad_part_ok(row_id))
		goto out;
	aad = astral_aad(table, column, row_id);
	if (aad == NULL) {
		err = ASTRAL_ERR_NOMEM;
		goto out;
	}
	err = astral_open(dek, aad, ct, ctlen, &pt, &ptlen);
	if (err != ASTRAL_OK)
		goto out;
	if (strlen(pt) != ptlen) {
		err = ASTRAL_ERR_INVALID;       /* a binary blob, not a text field */
		goto out;
	}
	*text = pt;
	pt = NULL;
out:
	if (pt != NULL) {
		OPENSSL_cleanse(pt, ptlen);
		free(pt);
	}
	free(aad);
	return err;
}
