/* astralctl user create / user set-role: accounts made and changed by an administrator. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "../../lib/account.h"
#include "../../lib/audit.h"
#include "../../lib/clock.h"
#include "../../lib/password.h"
#include "../../lib/publisher.h"
#include "../../lib/realtime.h"
#include "../../lib/role_change.h"
#include "../../lib/validate.h"
#include "astralctl.h"

enum users_stmt {
	USERS_FIND,
	USERS_STMT_COUNT
};

static const struct astral_stmt users_stmts[] = {
	[USERS_FIND] = { "astralctl_user_find", "SELECT id FROM users WHERE username = $1", 1 },
};

static const char *const users_roles[] = { "seeker", "helper", "moderator", "admin", NULL };
static const char *const users_tiers[] = { "community", "certified", NULL };

/* Username from the command line, lower-cased and checked; malloc'd, or NULL after a message. */
static char *
users_username(const char *arg)
{
	char *name = strdup(arg);
	const char *problem;

	if (name == NULL) {
		astralctl_error("out of memory");
		return NULL;
	}
	problem = astral_check_username(name);
	if (problem != NULL) {
		astralctl_error("--username %s", problem);
		free(name);
		return NULL;
	}
	return name;
}

/* Role and tier from the command line: the tier must be one of the two, only helpers and staff
   may have one, and a helper without one gets "community". Returns 0 or -1 after a message. */
static int
users_role_tier(const char *role, const char **tier)
{
	if (role == NULL || astral_check_enum(role, users_roles) != NULL) {
		astralctl_error("--role must be seeker, helper, moderator or admin");
		return -1;
	}
	if (*tier != NULL && astral_check_enum(*tier, users_tiers) != NULL) {
		astralctl_error("--tier must be community or certified");
		return -1;
	}
	if (strcmp(role, "seeker") == 0 && *tier != NULL) {
		astralctl_error("--tier applies to helpers (and staff), not to seekers");
		return -1;
	}
	if (strcmp(role, "helper") == 0 && *tier == NULL)
		*tier = "community";
	return 0;
}

/* Reads one line of at most ASTRAL_PASSWORD_MAX_BYTES + 1 bytes without its line end. */
static int
users_read_line(FILE *in, char *buf, size_t size)
{
	size_t n;

	if (fgets(buf, (int)size, in) == NULL)
		return -1;
	n = strlen(buf);
	if (n == size - 1 && buf[n - 1] != '\n') {
		int c;

		/* Too long: drain the rest of the line; the policy check reports the length. */
		while ((c = fgetc(in)) != EOF && c != '\n')
			;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 0;
}

/* Prompts on the terminal with echo off. */
static int
users_prompt(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int rc;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
		return -1;
	rc = users_read_line(stdin, buf, size);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fputc('\n', stderr);
	return rc;
}

/* The password: from standard input with --password-stdin, else asked twice on a terminal. */
static int
users_password(int from_stdin, char *buf, size_t size)
{
	char again[ASTRAL_PASSWORD_MAX_BYTES + 2];
	int rc = -1;

	if (from_stdin) {
		if (users_read_line(stdin, buf, size) != 0) {
			astralctl_error("--password-stdin: no password on standard input");
			return -1;
		}
		return 0;
	}
	if (!isatty(STDIN_FILENO)) {
		astralctl_error("no password: give --password-stdin and write the password on standard input");
		return -1;
	}
	if (users_prompt("Password: ", buf, size) != 0 || users_prompt("Password again: ", again, sizeof(again)) != 0) {
		astralctl_error("cannot read the password from the terminal");
		goto out;
	}
	if (strcmp(buf, again) != 0) {
		astralctl_error("the two passwords differ");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(again, sizeof(again));
	return rc;
}

static const struct option user_create_options[] = {
	{ "role", required_argument, NULL, 'r' },
	{ "username", required_argument, NULL, 'u' },
	{ "display-name", required_argument, NULL, 'd' },
	{ "tier", required_argument, NULL, 't' },
	{ "password-stdin", no_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_user_create(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("user", "create");
	const char *role = NULL, *tier = NULL, *display = NULL, *username_arg = NULL, *problem;
	char password[ASTRAL_PASSWORD_MAX_BYTES + 2];
	char *username = NULL, *hash = NULL;
	struct astral_wordlist *common = NULL;
	struct astral_keyring *kr = NULL;
	struct astral_db *db = NULL;
	struct astral_new_account acct;
	char id[37];
	int rc = ASTRALCTL_USAGE, opt, from_stdin = 0;
	astral_err err;

	memset(password, 0, sizeof(password));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", user_create_options, NULL)) != -1) {
		switch (opt) {
		case 'r': role = optarg; break;
		case 'u': username_arg = optarg; break;
		case 'd': display = optarg; break;
		case 't': tier = optarg; break;
		case 'p': from_stdin = 1; break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc || role == NULL || username_arg == NULL || display == NULL)
		return astralctl_usage(cmd);
	if (users_role_tier(role, &tier) != 0)
		goto out;
	username = users_username(username_arg);
	if (username == NULL)
		goto out;
	problem = astral_check_text(display, strlen(display), 1, 50, 0);
	if (problem != NULL) {
		astralctl_error("--display-name %s", problem);
		goto out;
	}

	rc = astralctl_load_config(ctl);
	if (rc != ASTRALCTL_OK)
		goto out;
	if (ctl->cfg.common_passwords_file != NULL) {
		err = astral_wordlist_load(ctl->cfg.common_passwords_file, &common);
		if (err != ASTRAL_OK) {
			astralctl_error("cannot read the common passwords list %s: %s", ctl->cfg.common_passwords_file,
			                err == ASTRAL_ERR_NOT_FOUND ? "no such file" : astral_strerror(err));
			rc = ASTRALCTL_CONFIG;
			goto out;
		}
	}
	rc = ASTRALCTL_USAGE;
	if (users_password(from_stdin, password, sizeof(password)) != 0)
		goto out;
	problem = astral_password_policy_problem(common, password);
	if (problem != NULL) {
		astralctl_error("password %s", problem);
		goto out;
	}
	err = astral_password_hash(password, &hash);
	OPENSSL_cleanse(password, sizeof(password));
	if (err != ASTRAL_OK) {
		astralctl_error("cannot hash the password: %s", astral_strerror(err));
		rc = ASTRALCTL_KEYS;
		goto out;
	}

	rc = astralctl_open_keyring(ctl, &kr);
	if (rc != ASTRALCTL_OK)
		goto out;
	rc = astralctl_open_owner(ctl, NULL, 0, &db);
	if (rc != ASTRALCTL_OK)
		goto out;

	memset(&acct, 0, sizeof(acct));
	acct.role = role;
	acct.helper_tier = tier;
	acct.username = username;
	acct.display_name = display;
	acct.password_hash = hash;
	acct.actor_role = "system";
	err = astral_db_begin(db, NULL, "system");
	if (err == ASTRAL_OK)
		err = astral_account_create(db, kr, &acct, (long long)astral_clock_now(&ctl->cfg), id);
	if (err == ASTRAL_OK)
		err = astral_db_commit(db);
	if (err == ASTRAL_ERR_CONFLICT) {
		astralctl_error("username \"%s\" is taken", username);
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	if (err == ASTRAL_ERR_CRYPTO) {
		astralctl_error("cannot wrap the new account's data key with the keyring's current key");
		rc = ASTRALCTL_KEYS;
		goto out;
	}
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(db, "creating the account", err);
		goto out;
	}
	printf("%s\n", id);
	rc = ASTRALCTL_OK;
out:
	if (db != NULL)
		astral_db_rollback(db);
	OPENSSL_cleanse(password, sizeof(password));
	if (hash != NULL) {
		OPENSSL_cleanse(hash, strlen(hash));
		free(hash);
	}
	astral_db_close(db);
	astral_keyring_free(kr);
	astral_wordlist_free(common);
	free(username);
	return rc;
}

static const struct option user_set_role_options[] = {
	{ "role", required_argument, NULL, 'r' },
	{ "username", required_argument, NULL, 'u' },
	{ "tier", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_user_set_role(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("user", "set-role");
	const char *role = NULL, *tier = NULL, *checked_tier, *username_arg = NULL;
	char *username = NULL;
	char id[37], detail[64];
	struct astral_app app;
	struct astral_request req;
	struct astral_role_change change;
	struct astral_params p;
	struct astral_audit_event ev;
	PGresult *res = NULL;
	int rc = ASTRALCTL_USAGE, opt;
	astral_err err;

	memset(&app, 0, sizeof(app));
	memset(&req, 0, sizeof(req));
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", user_set_role_options, NULL)) != -1) {
		switch (opt) {
		case 'r': role = optarg; break;
		case 'u': username_arg = optarg; break;
		case 't': tier = optarg; break;
		case 'h':
			return astralctl_command_help(cmd);
		default:
			return astralctl_usage(cmd);
		}
	}
	if (optind != argc || role == NULL || username_arg == NULL)
		return astralctl_usage(cmd);
	checked_tier = tier;            /* without --tier, lib/role_change.c keeps or defaults it */
	if (users_role_tier(role, &checked_tier) != 0)
		goto out;
	username = users_username(username_arg);
	if (username == NULL)
		goto out;

	rc = astralctl_open_owner(ctl, users_stmts, USERS_STMT_COUNT, &app.db);
	if (rc != ASTRALCTL_OK)
		goto out;
	/* The change runs as a request of the system: no person signed in, the real-time publisher of
	   the configuration for closing the person's streams after COMMIT. */
	app.program = "astralctl";
	app.cfg = ctl->cfg;
	req.app = &app;
	req.now = astral_clock_now(&ctl->cfg);
	snprintf(req.who.role, sizeof(req.who.role), "system");

	err = astral_db_begin(app.db, NULL, "system");
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(app.db, "starting a transaction", err);
		goto out;
	}
	astral_params_init(&p);
	astral_params_text(&p, username);
	err = astral_db_exec(app.db, &users_stmts[USERS_FIND], &p, &res);
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(app.db, "looking up the user", err);
		goto out;
	}
	if (PQntuples(res) != 1) {
		astralctl_error("no user is named \"%s\"", username);
		rc = ASTRALCTL_USAGE;
		goto out;
	}
	snprintf(id, sizeof(id), "%s", astral_db_value(res, 0, 0));
	PQclear(res);
	res = NULL;

	err = astral_role_change(&req, id, role, tier, &change);
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(app.db, "changing the role", err);
		goto out;
	}
	switch (change.outcome) {
	case ASTRAL_ROLE_CHANGED:
		break;
	case ASTRAL_ROLE_UNCHANGED:
		printf("user %s already has role %s%s%s; nothing changed\n", username, role,
		       change.tier[0] ? ", tier " : "", change.tier);
		rc = ASTRALCTL_OK;
		goto out;
	case ASTRAL_ROLE_NO_USER:
		astralctl_error("no user is named \"%s\"", username);
		rc = ASTRALCTL_USAGE;
		goto out;
	case ASTRAL_ROLE_LAST_ADMIN:
		astralctl_error("%s is the last admin: make someone else an admin first", username);
		rc = ASTRALCTL_USAGE;
		goto out;
	case ASTRAL_ROLE_BAN_IN_FORCE:
		astralctl_error("%s has a ban in force: a moderator or admin must lift it before %s can be %s",
		                username, username, role);
		rc = ASTRALCTL_USAGE;
		goto out;
	case ASTRAL_ROLE_CALLER_NOT_ADMIN:          /* only for a signed-in caller */
		rc = astralctl_db_failure(app.db, "changing the role", ASTRAL_ERR_INTERNAL);
		goto out;
	}

	snprintf(detail, sizeof(detail), "%s_to_%s", change.old_role, role);
	memset(&ev, 0, sizeof(ev));
	ev.actor_role = "system";
	ev.action = "role_change";
	ev.object_type = "user";
	ev.object_id = id;
	ev.subject_id = id;
	ev.outcome = "success";
	ev.detail = detail;
	err = astral_audit_append(app.db, &ev);
	if (err == ASTRAL_OK)
		err = astral_db_commit(app.db);
	if (err != ASTRAL_OK) {
		rc = astralctl_db_failure(app.db, "recording the role change", err);
		goto out;
	}
	/* Committed: close the person's open streams and tell the authors of any request handed back. */
	astral_rt_publish_pending(&req, 1);
	astral_publisher_disconnect();
	printf("user %s (%s): role %s%s%s -> %s%s%s; their sessions were ended\n", username, id, change.old_role,
	       change.old_tier[0] ? ", tier " : "", change.old_tier, role, change.tier[0] ? ", tier " : "",
	       change.tier);
	rc = ASTRALCTL_OK;
out:
	PQclear(res);
	json_object_put(req.rt_events);         /* dropped unless published above */
	if (app.db != NULL)
		astral_db_rollback(app.db);
	astral_db_close(app.db);
	free(username);
	return rc;
}
