/* astralctl: the administration tool. Shared state, exit codes and helpers of its commands. */
#ifndef ASTRALCTL_H
#define ASTRALCTL_H

#include <stddef.h>

#include "../../lib/config.h"
#include "../../lib/db.h"
#include "../../lib/error.h"
#include "../../lib/keyring.h"

#ifndef ASTRAL_VERSION
#define ASTRAL_VERSION "0.1.0"
#endif
#ifndef ASTRAL_SYSCONF_PATH
#define ASTRAL_SYSCONF_PATH "/etc/astral/astral.conf"
#endif

/* Exit codes, documented in docs/astralctl.md. */
enum astralctl_exit {
	ASTRALCTL_OK = 0,
	ASTRALCTL_USAGE = 1,        /* bad command line or argument value */
	ASTRALCTL_CONFIG = 2,       /* configuration file or secret file unusable */
	ASTRALCTL_DATABASE = 3,     /* database unreachable, statement or migration failed */
	ASTRALCTL_AUDIT = 4,        /* audit chain broken */
	ASTRALCTL_KEYS = 5          /* keyring or key file problem */
};

struct astralctl {
	const char *config_path;
	struct astral_config cfg;
	int cfg_loaded;
};

/* One command: argv[0] is the command's last word ("create" for "user create"). */
struct astralctl_command {
	const char *group;          /* "user", or NULL for a one-word command */
	const char *name;
	int (*run)(struct astralctl *ctl, int argc, char **argv);
	const char *synopsis;       /* options, after the command words */
	const char *summary;
};

/* Messages: "astralctl: <text>" on stderr. */
void astralctl_error(const char *fmt, ...) ASTRAL_PRINTF(1, 2);

/* Prints "usage: astralctl <group> <name> <synopsis>" to stderr; returns ASTRALCTL_USAGE. */
int astralctl_usage(const struct astralctl_command *cmd);
/* Prints the usage and summary to stdout (for --help); returns ASTRALCTL_OK. */
int astralctl_command_help(const struct astralctl_command *cmd);
const struct astralctl_command *astralctl_find_command(const char *group, const char *name);

/* Loads (once) the whole configuration, secret files included. Returns an exit code. */
int astralctl_load_config(struct astralctl *ctl);
void astralctl_free_config(struct astralctl *ctl);

/* Opens a statement-table connection as the database owner (database.owner_conninfo) or as the
   application role (database.conninfo). `table` may be NULL. Returns an exit code. */
/* database.password_file belongs to the application role: it is sent for the owner connection
   only when owner_conninfo is the same string as conninfo (its default). Otherwise the owner
   authenticates by its conninfo alone (peer, passfile=, ~/.pgpass, PGPASSWORD). */
const char *astralctl_owner_password(const struct astralctl *ctl);
int astralctl_open_owner(struct astralctl *ctl, const struct astral_stmt *table, size_t count,
                         struct astral_db **db);
int astralctl_open_app(struct astralctl *ctl, const struct astral_stmt *table, size_t count,
                       struct astral_db **db);
/* A plain libpq connection as the owner, for what runs outside a statement table (migrations,
   backups, restores); the server's notices go to stderr. Returns an exit code. */
int astralctl_connect_owner(struct astralctl *ctl, PGconn **out);

/* SIGINT, SIGTERM and SIGHUP only set a flag from here on, so that a long command (backup) can
   remove what it wrote before it ends; astralctl_interrupted() returns the signal, or 0.
   astralctl_end_by_interrupt() then ends the process by that signal, as a shell expects. */
void astralctl_catch_interrupts(void);
int astralctl_interrupted(void);
void astralctl_end_by_interrupt(void);

/* Loads the configured keyring; on failure prints why and returns ASTRALCTL_KEYS. */
int astralctl_open_keyring(struct astralctl *ctl, struct astral_keyring **kr);

/* An exit code and a message for a failed database call. */
int astralctl_db_failure(struct astral_db *db, const char *what, astral_err err);

/* Commands. */
int astralctl_migrate(struct astralctl *ctl, int argc, char **argv);
int astralctl_keys_init(struct astralctl *ctl, int argc, char **argv);
int astralctl_keys_rotate(struct astralctl *ctl, int argc, char **argv);
int astralctl_user_create(struct astralctl *ctl, int argc, char **argv);
int astralctl_user_set_role(struct astralctl *ctl, int argc, char **argv);
int astralctl_audit_verify(struct astralctl *ctl, int argc, char **argv);
int astralctl_config_check(struct astralctl *ctl, int argc, char **argv);
int astralctl_media_sweep(struct astralctl *ctl, int argc, char **argv);
int astralctl_ai_referrals(struct astralctl *ctl, int argc, char **argv);
int astralctl_backup(struct astralctl *ctl, int argc, char **argv);
int astralctl_restore(struct astralctl *ctl, int argc, char **argv);

#endif
