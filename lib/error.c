#include "error.h"

const char *
astral_strerror(astral_err err)
{
	switch (err) {
	case ASTRAL_OK:               return "success";
	case ASTRAL_ERR_NOMEM:        return "out of memory";
	case ASTRAL_ERR_INVALID:      return "invalid input";
	case ASTRAL_ERR_TOO_LARGE:    return "input too large";
	case ASTRAL_ERR_NOT_FOUND:    return "not found";
	case ASTRAL_ERR_CONFLICT:     return "conflict";
	case ASTRAL_ERR_UNAUTHORIZED: return "unauthorized";
	case ASTRAL_ERR_FORBIDDEN:    return "forbidden";
	case ASTRAL_ERR_EXPIRED:      return "expired";
	case ASTRAL_ERR_CRYPTO:       return "cryptographic failure";
	case ASTRAL_ERR_IO:           return "i/o error";
	case ASTRAL_ERR_CONFIG:       return "configuration error";
	case ASTRAL_ERR_DB:           return "database error";
	case ASTRAL_ERR_DB_DOWN:      return "database unavailable";
	case ASTRAL_ERR_INTERNAL:     return "internal error";
	}
	return "unknown error";
}
