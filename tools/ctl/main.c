/*
 * astralctl [-c config] <command> [options]: migrations, keys, accounts, audit verification, media,
 * configuration checks, backup and restore for an Astral Core installation. docs/astralctl.md is the
 * reference.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/log.h"
#include "astralctl.h"

static const struct astralctl_command astralctl_commands[] = {
	{ NULL, "migrate", astralctl_migrate, "[--dir DIR]",
	  "apply pending database migrations" },
	{ "keys", "init", astralctl_keys_init, "[--owner USER]",
	  "create the JWT key file and the keyring when absent" },
	{ "keys", "rotate", astralctl_keys_rotate, "[--rewrap-only]",
	  "add a master key and re-wrap every data key with it" },
	{ "user", "create", astralctl_user_create,
	  "--role seeker|helper|moderator|admin --username NAME --display-name TEXT\n"
	  "                        [--tier community|certified] [--password-stdin]",
	  "create an account" },
	{ "user", "set-role", astralctl_user_set_role,
	  "--username NAME --role seeker|helper|moderator|admin [--tier community|certified]",
	  "change an account's role and end its sessions" },
	{ "audit", "verify", astralctl_audit_verify, "",
	  "check the audit log's hash chain" },
	{ "media", "sweep", astralctl_media_sweep, "[--min-age SECONDS] [--dry-run]",
	  "remove video files no row names (deleted accounts) and abandoned uploads" },
	{ "ai", "referrals", astralctl_ai_referrals, "[--days N]",
	  "count the crisis referrals the AI features made, per day (no person, no content)" },
	{ "config", "check", astralctl_config_check, "[--describe]",
	  "load the configuration, connect, open the keyring" },
	{ NULL, "backup", astralctl_backup, "--output DIR",
	  "write a backup set (database dump, video files, manifest; never the keys)" },
	{ NULL, "restore", astralctl_restore, "--input DIR [--force] [--accept-unsigned]",
	  "check a backup set, restore it into an empty database, verify the result" },
};

#define ASTRALCTL_NCOMMANDS (sizeof(astralctl_commands) / sizeof(astralctl_commands[0]))

const struct astralctl_command *
astralctl_find_command(const char *group, const char *name)
{
	for (size_t i = 0; i < ASTRALCTL_NCOMMANDS; i++) {
		const struct astralctl_command *c = &astralctl_commands[i];

		if (name == NULL || strcmp(c->name, name) != 0)
			continue;
		if ((group == NULL) != (c->group == NULL))
			continue;
		if (group == NULL || strcmp(group, c->group) == 0)
			return c;
	}
	return NULL;
}

static int
astralctl_group_exists(const char *group)
{
	for (size_t i = 0; i < ASTRALCTL_NCOMMANDS; i++) {
		if (astralctl_commands[i].group != NULL && strcmp(astralctl_commands[i].group, group) == 0)
			return 1;
	}
	return 0;
}

static void
astralctl_print_usage(FILE *out, const struct astralctl_command *cmd)
{
	fprintf(out, "usage: astralctl [-c FILE] %s%s%s%s%s\n", cmd->group ? cmd->group : "",
	        cmd->group ? " " : "", cmd->name, cmd->synopsis[0] ? " " : "", cmd->synopsis);
}

int
astralctl_usage(const struct astralctl_command *cmd)
{
	if (cmd != NULL)
		astralctl_print_usage(stderr, cmd);
	return ASTRALCTL_USAGE;
}

int
astralctl_command_help(const struct astralctl_command *cmd)
{
	if (cmd != NULL) {
		astralctl_print_usage(stdout, cmd);
		printf("%s (docs/astralctl.md describes every option)\n", cmd->summary);
	}
	return ASTRALCTL_OK;
}

static void
astralctl_help(FILE *out)
{
	fprintf(out,
	        "usage: astralctl [-c FILE] COMMAND [OPTIONS]\n"
	        "\n"
	        "Administer an Astral Core installation.\n"
	        "\n"
	        "  -c, --config FILE   configuration file (default " ASTRAL_SYSCONF_PATH ")\n"
	        "  -h, --help          show this help; after a command, that command's usage\n"
	        "  -V, --version       show the version\n"
	        "\n"
	        "commands:\n");
	for (size_t i = 0; i < ASTRALCTL_NCOMMANDS; i++) {
		const struct astralctl_command *c = &astralctl_commands[i];
		char words[32];

		snprintf(words, sizeof(words), "%s%s%s", c->group ? c->group : "", c->group ? " " : "", c->name);
		fprintf(out, "  %-20s  %s\n", words, c->summary);
	}
	fprintf(out,
	        "\n"
	        "exit status: 0 success, 1 usage, 2 configuration, 3 database or migration,\n"
	        "             4 audit chain broken, 5 keys\n");
}

static const struct option astralctl_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char **argv)
{
	struct astralctl ctl;
	const struct astralctl_command *cmd = NULL;
	const char *group = NULL;
	int opt, rc, first;

	memset(&ctl, 0, sizeof(ctl));
	ctl.config_path = ASTRAL_SYSCONF_PATH;
	astral_log_init("astralctl", ASTRAL_LOG_WARN);

	/* '+': options end at the command word; the command parses its own. */
	while ((opt = getopt_long(argc, argv, "+c:hV", astralctl_options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 'h':
			astralctl_help(stdout);
			return ASTRALCTL_OK;
		case 'V':
			printf("astralctl (Astral Core) %s\n", ASTRAL_VERSION);
			return ASTRALCTL_OK;
		default:
			astralctl_help(stderr);
			return ASTRALCTL_USAGE;
		}
	}
	if (optind >= argc) {
		astralctl_help(stderr);
		return ASTRALCTL_USAGE;
	}
	first = optind;
	if (astralctl_group_exists(argv[first])) {
		group = argv[first];
		if (first + 1 >= argc || (cmd = astralctl_find_command(group, argv[first + 1])) == NULL) {
			if (first + 1 < argc)
				astralctl_error("unknown command \"%s %s\"", group, argv[first + 1]);
			else
				astralctl_error("\"%s\" needs a command", group);
			for (size_t i = 0; i < ASTRALCTL_NCOMMANDS; i++) {
				if (astralctl_commands[i].group != NULL && strcmp(astralctl_commands[i].group, group) == 0)
					astralctl_usage(&astralctl_commands[i]);
			}
			return ASTRALCTL_USAGE;
		}
		first++;
	} else {
		cmd = astralctl_find_command(NULL, argv[first]);
		if (cmd == NULL) {
			astralctl_error("unknown command \"%s\" (astralctl --help lists them)", argv[first]);
			return ASTRALCTL_USAGE;
		}
	}
	rc = cmd->run(&ctl, argc - first, argv + first);
	astralctl_free_config(&ctl);
	return rc;
}
