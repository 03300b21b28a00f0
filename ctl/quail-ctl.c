/* quail-ctl: the admin's tool for a quail home (auto_home, compiled in).
 *   compile [--check] [--diff]  validate control/ and users/, write CDBs
 *   rollback                    put the previous CDB generation back
 *   show                        every setting, effective value and source
 *   check                       lint the installed control files and CDBs
 * Runs as: root (admin).  Reads HOME/control, HOME/users, HOME/alias and
 * the password database; writes HOME/control/NAME.cdb, HOME/users/assign.cdb
 * (atomically, previous generation kept as NAME.cdb.prev).
 * Output: reports on stdout, problems on stderr as "file:line: what".
 * Exit: 0 done; 100 invalid sources, failed check or usage; 111 system
 * error (nothing half-installed is reported as done).
 * Trust: sources are admin-written but validated line by line. */
#include <stdio.h>
#include <string.h>

#include "auto.h"
#include "ctl.h"
#include "admin.h" /* domain user alias queue explain up down: quail-ctl-admin(8) */

static const struct {
	const char *name;
	int (*fn)(const char *home, int argc, char **argv);
} cmds[] = {
    {"compile", cmd_compile},
    {"rollback", cmd_rollback},
    {"show", cmd_show},
    {"check", cmd_check},
    {"domain", cmd_domain},
    {"user", cmd_user},
    {"alias", cmd_alias},
    {"queue", cmd_queue},
    {"explain", cmd_explain},
    {"up", cmd_up},
    {"down", cmd_down},
};

static int
usage(void)
{
	fputs("usage: quail-ctl compile [--check] [--diff] | rollback | show "
	      "| check\n",
	    stderr);
	return 100;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage();
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(auto_home, argc - 1, argv + 1);
	return usage();
}
