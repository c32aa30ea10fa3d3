/* astralctl config check: everything a program needs at start-up, tried the way it tries it. */
#include <getopt.h>
#include <stdio.h>

#include "../../lib/password.h"
#include "../../lib/resource_catalog.h"
#include "astralctl.h"

static const struct option config_check_options[] = {
	{ "describe", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_config_check(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("config", "check");
	struct astral_keyring *kr = NULL;
	struct astral_wordlist *common = NULL;
	struct astral_db *db = NULL;
	struct json_object *resources = NULL, *lines = NULL;
	char why[512];
	astral_err err;
	int rc, opt, describe = 0;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", config_check_options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			describe = 1;
			break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc)
		return astralctl_usage(cmd);
	if (describe) {
		astral_config_describe(stdout);
		return ASTRALCTL_OK;
	}

	rc = astralctl_load_config(ctl);
	if (rc != ASTRALCTL_OK)
		goto out;
	printf("%s: read, secret files included\n", ctl->config_path);

	if (ctl->cfg.common_passwords_file != NULL) {
		err = astral_wordlist_load(ctl->cfg.common_passwords_file, &common);
		if (err != ASTRAL_OK) {
			astralctl_error("auth.common_passwords_file %s: %s", ctl->cfg.common_passwords_file,
			                err == ASTRAL_ERR_NOT_FOUND ? "no such file" : astral_strerror(err));
			rc = ASTRALCTL_CONFIG;
			goto out;
		}
		printf("common passwords %s: %zu entries\n", ctl->cfg.common_passwords_file,
		       astral_wordlist_count(common));
	}

	if (astral_resources_load(ctl->cfg.wellness_resources_file, &resources, why, sizeof(why)) != ASTRAL_OK) {
		astralctl_error("wellness.resources_file: %s", why);
		rc = ASTRALCTL_CONFIG;
		goto out;
	}
	if (astral_resources_check_region(resources, ctl->cfg.crisis_region, why, sizeof(why)) != ASTRAL_OK) {
		astralctl_error("wellness.crisis_region: %s", why);
		rc = ASTRALCTL_CONFIG;
		goto out;
	}
	lines = astral_resources_crisis_lines(resources, ctl->cfg.crisis_region);
	printf("resources %s: %zu entries; crisis lines for %s: %zu\n", ctl->cfg.wellness_resources_file,
	       json_object_array_length(resources), ctl->cfg.crisis_region, json_object_array_length(lines));

	rc = astralctl_open_keyring(ctl, &kr);
	if (rc != ASTRALCTL_OK)
		goto out;
	printf("keyring %s: current key version %u\n", ctl->cfg.keyring_file, astral_keyring_current(kr));

	rc = astralctl_open_app(ctl, NULL, 0, &db);
	if (rc != ASTRALCTL_OK)
		goto out;
	printf("database.conninfo: connected, the library's statements prepared\n");

	printf("configuration OK\n");
	rc = ASTRALCTL_OK;
out:
	astral_db_close(db);
	astral_keyring_free(kr);
	astral_wordlist_free(common);
	json_object_put(lines);
	json_object_put(resources);
	return rc;
}
