/* libFuzzer target for stored password hashes in PHC string format (lib/password.c,
   astral_password_phc_parse: what astral_password_verify and astral_password_needs_rehash read
   from a users row). An accepted text is exactly "$<type>$[v=<n>$]m=<n>,t=<n>,p=<n>$" with the
   numbers parsed, printed back without leading zeros, then salt_chars and tag_chars base64
   characters around one '$'; a refused one leaves the result zeroed, needs a rehash and never
   verifies. Hashes cheap enough to compute (m at most 64 KiB, t at most 4, one lane) go on to
   the verify path, which needs no database: it answers a match, a mismatch or INVALID, never more.
   Every hash libargon2 writes (costs, tag length and salt taken from the bytes after a '#' that
   starts the input) is accepted with its parameters and verifies its password only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "../../lib/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PASSWORD "correct horse battery staple"
/* Costs small enough to run argon2 on every input. */
#define FUZZ_VERIFY_MAX_M 64
#define FUZZ_VERIFY_MAX_T 4
#define FUZZ_VERIFY_MAX_P 1  /* argon2 starts a thread per lane */

static int
fuzz_b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* abort() unless text is exactly what the accepted *pp says it is. */
static void
fuzz_check_shape(const char *text, const struct astral_phc *pp)
{
	const char *type = pp->is_argon2id ? "argon2id" : strncmp(text, "$argon2i$", 9) == 0 ? "argon2i" : "argon2d";
	char head[128];
	const char *rest = NULL;
	int n;

	n = snprintf(head, sizeof(head), "$%s$v=%u$m=%u,t=%u,p=%u$", type, (unsigned)pp->version, (unsigned)pp->m,
	             (unsigned)pp->t, (unsigned)pp->p);
	if (n > 0 && (size_t)n < sizeof(head) && strncmp(text, head, (size_t)n) == 0)
		rest = text + n;
	if (rest == NULL && pp->version == 0x10) {  /* the version left out */
		n = snprintf(head, sizeof(head), "$%s$m=%u,t=%u,p=%u$", type, (unsigned)pp->m, (unsigned)pp->t,
		             (unsigned)pp->p);
		if (n > 0 && (size_t)n < sizeof(head) && strncmp(text, head, (size_t)n) == 0)
			rest = text + n;
	}
	if (rest == NULL || pp->salt_chars == 0 || pp->tag_chars == 0 ||
	    strlen(rest) != pp->salt_chars + 1 + pp->tag_chars || rest[pp->salt_chars] != '$')
		abort();
	for (size_t i = 0; rest[i] != '\0'; i++)
		if (i != pp->salt_chars && !fuzz_b64_char(rest[i]))
			abort();
}

/* The verify path on text, which astral_password_phc_parse answered with rc and *pp. */
static void
fuzz_verify(const char *text, int rc, const struct astral_phc *pp)
{
	astral_err v;

	if (rc != 0 || !pp->is_argon2id || pp->m > ASTRAL_PHC_MAX_M_COST || pp->t > ASTRAL_PHC_MAX_T_COST ||
	    pp->p > ASTRAL_PHC_MAX_PARALLEL) {
		if (astral_password_verify(text, FUZZ_PASSWORD) != ASTRAL_ERR_INVALID)
			abort();
		return;
	}
	if (pp->m > FUZZ_VERIFY_MAX_M || pp->t > FUZZ_VERIFY_MAX_T || pp->p > FUZZ_VERIFY_MAX_P)
		return;
	v = astral_password_verify(text, FUZZ_PASSWORD);
	if (v != ASTRAL_OK && v != ASTRAL_ERR_UNAUTHORIZED && v != ASTRAL_ERR_INVALID)
		abort();
}

/* A hash libargon2 writes with costs, tag length and salt from data reads back as written (one
   lane: more start threads, too slow to fuzz). */
static void
fuzz_round_trip(const uint8_t *data, size_t size)
{
	uint8_t salt[32];
	uint32_t m, t, taglen, saltlen;
	struct astral_phc pp;
	char encoded[256];

	if (size < 3)
		return;
	m = 8 + data[0] % 57;
	t = 1 + data[1] % 2;
	taglen = 4 + data[2] % 61;
	saltlen = size - 3 > sizeof(salt) ? (uint32_t)sizeof(salt) : (uint32_t)(size - 3);
	memset(salt, 0, sizeof(salt));
	memcpy(salt, data + 3, saltlen);
	if (saltlen < ARGON2_MIN_SALT_LENGTH)
		saltlen = ARGON2_MIN_SALT_LENGTH;  /* zeros after the input's bytes */
	if (argon2id_hash_encoded(t, m, 1, FUZZ_PASSWORD, strlen(FUZZ_PASSWORD), salt, saltlen, taglen, encoded,
	                          sizeof(encoded)) != ARGON2_OK)
		abort();
	if (astral_password_phc_parse(encoded, &pp) != 0 || !pp.is_argon2id || pp.version != ARGON2_VERSION_13 ||
	    pp.m != m || pp.t != t || pp.p != 1 || pp.salt_chars != (saltlen * 4 + 2) / 3 ||
	    pp.tag_chars != (taglen * 4 + 2) / 3)
		abort();
	fuzz_check_shape(encoded, &pp);
	if (astral_password_needs_rehash(encoded) != 1 ||  /* cheaper than the current costs */
	    astral_password_verify(encoded, FUZZ_PASSWORD) != ASTRAL_OK ||
	    astral_password_verify(encoded, FUZZ_PASSWORD "!") != ASTRAL_ERR_UNAUTHORIZED)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size);  /* what C reads: up to a NUL */
	struct astral_phc pp;
	int rc;

	if (text == NULL)
		return 0;
	rc = astral_password_phc_parse(text, &pp);
	if (rc != 0 && rc != -1)
		abort();
	if (rc != 0 && (pp.is_argon2id || pp.version || pp.m || pp.t || pp.p || pp.salt_chars || pp.tag_chars ||
	                astral_password_needs_rehash(text) != 1))
		abort();
	if (rc == 0)
		fuzz_check_shape(text, &pp);
	fuzz_verify(text, rc, &pp);
	free(text);
	if (size > 0 && data[0] == '#')  /* hashing is slow: only inputs that ask for it */
		fuzz_round_trip(data + 1, size - 1);
	return 0;
}
