/* astralctl: what several commands share — messages, configuration, connections, the keyring. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../lib/log.h"
#include "astralctl.h"

void
astralctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("astralctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
astralctl_load_config(struct astralctl *ctl)
{
	char err[512];

	if (ctl->cfg_loaded)
		return ASTRALCTL_OK;
	err[0] = '\0';
	if (astral_config_load(ctl->config_path, &ctl->cfg, err, sizeof(err)) != ASTRAL_OK) {
		astralctl_error("%s", err[0] ? err : "cannot load the configuration");
		return ASTRALCTL_CONFIG;
	}
	ctl->cfg_loaded = 1;
	astral_log_init("astralctl", (enum astral_log_level)ctl->cfg.log_level);
	return ASTRALCTL_OK;
}

void
astralctl_free_config(struct astralctl *ctl)
{
	if (ctl->cfg_loaded)
		astral_config_free(&ctl->cfg);
	ctl->cfg_loaded = 0;
}

static int
astralctl_open(const char *key, const char *conninfo, const char *password, const struct astral_stmt *table,
               size_t count, struct astral_db **db)
{
	const struct astral_stmt *tables[2] = { table, NULL };
	size_t counts[1] = { count };
	astral_err err;

	*db = NULL;
	if (conninfo == NULL || conninfo[0] == '\0') {
		astralctl_error("%s is not set in the configuration", key);
		return ASTRALCTL_CONFIG;
	}
	/* No statement timeout: administration walks whole tables. */
	err = astral_db_open(conninfo, password, 0, table ? tables : NULL, table ? counts : NULL, db);
	if (err != ASTRAL_OK) {
		if (err == ASTRAL_ERR_DB_DOWN)
			astralctl_error("cannot connect with %s (see the message above)", key);
		else
			astralctl_error("cannot prepare statements on the database of %s: %s (has "
			                "`astralctl migrate` been run?)", key, astral_strerror(err));
		astral_db_close(*db);
		*db = NULL;
		return ASTRALCTL_DATABASE;
	}
	return ASTRALCTL_OK;
}

const char *
astralctl_owner_password(const struct astralctl *ctl)
{
	const char *owner = ctl->cfg.db_owner_conninfo, *app = ctl->cfg.db_conninfo;

	if (owner != NULL && app != NULL && strcmp(owner, app) == 0)
		return ctl->cfg.db_password;
	return NULL;
}

/* The server's notices (a migration's RAISE NOTICE, say) go to stderr as they come. */
static void
owner_notice(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "astralctl: server: %s", message);
}

int
astralctl_connect_owner(struct astralctl *ctl, PGconn **out)
{
	const char *keys[4] = { "dbname", "application_name", NULL, NULL };
	const char *vals[4] = { ctl->cfg.db_owner_conninfo, "astralctl", NULL, NULL };
	PGconn *conn;

	*out = NULL;
	if (ctl->cfg.db_owner_conninfo == NULL || ctl->cfg.db_owner_conninfo[0] == '\0') {
		astralctl_error("database.owner_conninfo is not set in the configuration");
		return ASTRALCTL_CONFIG;
	}
	if (astralctl_owner_password(ctl) != NULL) {
		keys[2] = "password";
		vals[2] = astralctl_owner_password(ctl);
	}
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL) {
		astralctl_error("out of memory");
		return ASTRALCTL_DATABASE;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		astralctl_error("cannot connect with database.owner_conninfo: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return ASTRALCTL_DATABASE;
	}
	PQsetNoticeProcessor(conn, owner_notice, NULL);
	*out = conn;
	return ASTRALCTL_OK;
}

int
astralctl_open_owner(struct astralctl *ctl, const struct astral_stmt *table, size_t count, struct astral_db **db)
{
	int rc = astralctl_load_config(ctl);

	if (rc != ASTRALCTL_OK)
		return rc;
	return astralctl_open("database.owner_conninfo", ctl->cfg.db_owner_conninfo, astralctl_owner_password(ctl),
	                      table, count, db);
}

int
astralctl_open_app(struct astralctl *ctl, const struct astral_stmt *table, size_t count, struct astral_db **db)
{
	int rc = astralctl_load_config(ctl);

	if (rc != ASTRALCTL_OK)
		return rc;
	return astralctl_open("database.conninfo", ctl->cfg.db_conninfo, ctl->cfg.db_password, table, count, db);
}

int
astralctl_open_keyring(struct astralctl *ctl, struct astral_keyring **kr)
{
	char err[512];
	int rc = astralctl_load_config(ctl);

	*kr = NULL;
	if (rc != ASTRALCTL_OK)
		return rc;
	if (ctl->cfg.keyring_file == NULL) {
		astralctl_error("crypto.keyring_file is not set in the configuration");
		return ASTRALCTL_CONFIG;
	}
	err[0] = '\0';
	if (astral_keyring_load(ctl->cfg.keyring_file, kr, err, sizeof(err)) != ASTRAL_OK) {
		astralctl_error("%s%s", err[0] ? err : "cannot load the keyring",
		                err[0] ? "" : " (run `astralctl keys init` to create it)");
		return ASTRALCTL_KEYS;
	}
	return ASTRALCTL_OK;
}

int
astralctl_db_failure(struct astral_db *db, const char *what, astral_err err)
{
	const char *state = db ? astral_db_last_sqlstate(db) : "";

	if (err == ASTRAL_ERR_DB_DOWN)
		astralctl_error("%s: the database connection was lost", what);
	else if (state[0] != '\0')
		astralctl_error("%s: %s (SQLSTATE %s)", what, astral_strerror(err), state);
	else
		astralctl_error("%s: %s", what, astral_strerror(err));
	return ASTRALCTL_DATABASE;
}

static volatile sig_atomic_t interrupted_by;

static void
note_interrupt(int sig)
{
	interrupted_by = sig;
}

void
astralctl_catch_interrupts(void)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_interrupt;   /* no SA_RESTART: a blocking wait returns EINTR */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		(void)sigaction(signals[i], &sa, NULL);
}

int
astralctl_interrupted(void)
{
	return (int)interrupted_by;
}

void
astralctl_end_by_interrupt(void)
{
	int sig = (int)interrupted_by;

	if (sig == 0)
		return;
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}
