/* What a program holds for its whole life: configuration, connection, keys. Nothing per request. */
#ifndef ASTRAL_APP_H
#define ASTRAL_APP_H

#include <json-c/json.h>

#include "config.h"
#include "db.h"
#include "keyring.h"
#include "password.h"

struct astral_app {
	const char *program;                      /* "auth" */
	struct astral_config cfg;
	struct astral_db *db;
	struct astral_keyring *keyring;
	struct astral_wordlist *common_passwords;
	struct json_object *resources;            /* wellness.resources_file, checked (lib/resource_catalog.h) */
};

#endif
