/* One error type for libastral and the programs. */
#ifndef ASTRAL_ERROR_H
#define ASTRAL_ERROR_H

#define ASTRAL_MUST_USE __attribute__((warn_unused_result))
#define ASTRAL_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef enum astral_err {
	ASTRAL_OK = 0,
	ASTRAL_ERR_NOMEM,        /* allocation failed */
	ASTRAL_ERR_INVALID,      /* malformed input (caller's data) */
	ASTRAL_ERR_TOO_LARGE,    /* input over a size limit */
	ASTRAL_ERR_NOT_FOUND,    /* no such object */
	ASTRAL_ERR_CONFLICT,     /* uniqueness or state conflict */
	ASTRAL_ERR_UNAUTHORIZED, /* missing or bad credentials */
	ASTRAL_ERR_FORBIDDEN,    /* authenticated but not allowed */
	ASTRAL_ERR_EXPIRED,      /* token, session or code past its time */
	ASTRAL_ERR_CRYPTO,       /* cipher, MAC or key failure (tamper included) */
	ASTRAL_ERR_IO,           /* file or socket error */
	ASTRAL_ERR_CONFIG,       /* configuration error */
	ASTRAL_ERR_DB,           /* statement failed */
	ASTRAL_ERR_DB_DOWN,      /* no database connection */
	ASTRAL_ERR_INTERNAL      /* a bug or an impossible state */
} astral_err;

const char *astral_strerror(astral_err err);

#endif
