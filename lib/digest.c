/* Hashes, HMAC and constant-time comparison (OpenSSL EVP). */
#include <stdint.h>
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "digest.h"

void
astral_sha256(const void *data, size_t len, unsigned char out[ASTRAL_SHA256_LEN])
{
	unsigned int mdlen = 0;
	static const unsigned char empty[1];

	if (data == NULL)
		data = empty;
	if (EVP_Digest(data, len, out, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != ASTRAL_SHA256_LEN)
		abort();
}

astral_err
astral_hmac(const char *digest_name, const void *key, size_t keylen,
    const void *data, size_t len, unsigned char *out, size_t outsize, size_t *outlen)
{
	static const unsigned char empty[1];
	astral_err err = ASTRAL_ERR_CRYPTO;
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t n = 0;

	*outlen = 0;
	if (digest_name == NULL || (key == NULL && keylen > 0) ||
	    (data == NULL && len > 0)) {
		err = ASTRAL_ERR_INVALID;
		goto out;
	}
	/* A NULL key would mean "keep the previous key" to OpenSSL. */
	if (key == NULL)
		key = empty;
	if (data == NULL)
		data = empty;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (ctx == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)digest_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) != 1)
		goto out;
	if (EVP_MAC_update(ctx, data, len) != 1)
		goto out;
	if (EVP_MAC_final(ctx, out, &n, outsize) != 1)
		goto out;
	*outlen = n;
	err = ASTRAL_OK;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return err;
}

astral_err
astral_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[ASTRAL_SHA256_LEN])
{
	size_t n = 0;
	astral_err err;

	err = astral_hmac("SHA256", key, keylen, data, len, out, ASTRAL_SHA256_LEN, &n);
	if (err == ASTRAL_OK && n != ASTRAL_SHA256_LEN)
		err = ASTRAL_ERR_CRYPTO;
	return err;
}

int
astral_ct_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
