/* libFuzzer target for astral_config_parse: any text either parses into a config that keeps every
   documented invariant, or fails with a message; then the config is freed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/config.h"
#include "../../lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check_config(const struct astral_config *c)
{
	if (!c->db_conninfo || !c->db_owner_conninfo || !c->public_origin || !c->keyring_file ||
	    !c->jwt_issuer || !c->jwt_audience || !c->common_passwords_file || !c->rt_publish_url)
		abort();
	if (c->jwt_key || c->db_password)  /* parse reads no secret file */
		abort();
	if (c->db_statement_timeout_ms < 100 || c->db_statement_timeout_ms > 600000 ||
	    c->access_ttl < 60 || c->access_ttl > 900 || c->refresh_grace < 0 || c->refresh_grace > 60 ||
	    c->max_body_bytes < 1024 || c->max_body_bytes > 1048576)
		abort();
	if (c->log_level < ASTRAL_LOG_ERROR || c->log_level > ASTRAL_LOG_DEBUG)
		abort();
	if (strncmp(c->public_origin, "http://", 7) != 0 && strncmp(c->public_origin, "https://", 8) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct astral_config cfg;
	char err[256];
	astral_err rc;

	rc = astral_config_parse((const char *)data, size, &cfg, err, sizeof(err));
	if (rc == ASTRAL_OK)
		fuzz_check_config(&cfg);
	else if (rc == ASTRAL_ERR_CONFIG && (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0'))
		abort();  /* every refusal explains itself */
	else if (rc != ASTRAL_ERR_CONFIG && rc != ASTRAL_ERR_NOMEM)
		abort();
	astral_config_free(&cfg);
	return 0;
}
