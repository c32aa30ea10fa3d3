/* astralctl audit verify: recompute the audit log's hash chain and name the first bad row. */
#include <getopt.h>
#include <stdio.h>

#include "../../lib/audit.h"
#include "astralctl.h"

static const struct option audit_verify_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int
astralctl_audit_verify(struct astralctl *ctl, int argc, char **argv)
{
	const struct astralctl_command *cmd = astralctl_find_command("audit", "verify");
	struct astral_db *db = NULL;
	long long checked = 0, bad_id = 0;
	char why[256];
	astral_err err;
	int rc, opt;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "+h", audit_verify_options, NULL)) != -1) {
		if (opt == 'h') {
			return astralctl_command_help(cmd);
		}
		return astralctl_usage(cmd);
	}
	if (optind != argc)
		return astralctl_usage(cmd);

	rc = astralctl_open_owner(ctl, NULL, 0, &db);
	if (rc != ASTRALCTL_OK)
		goto out;
	why[0] = '\0';
	err = astral_audit_verify(db, &checked, &bad_id, why, sizeof(why));
	if (err == ASTRAL_OK) {
		printf("audit log intact: %lld row%s\n", checked, checked == 1 ? "" : "s");
		rc = ASTRALCTL_OK;
	} else if (err == ASTRAL_ERR_CRYPTO) {
		if (bad_id > 0)
			printf("audit log broken at row %lld: %s\n", bad_id, why);
		else
			printf("audit log broken: %s\n", why);
		rc = ASTRALCTL_AUDIT;
	} else {
		rc = astralctl_db_failure(db, "reading the audit log", err);
	}
out:
	astral_db_close(db);
	return rc;
}
