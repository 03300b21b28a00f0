/* quail-lspawn: starts local deliveries for quail-send.
 * Runs as: root (started by quail-start); its only privileged act is
 * dropping each delivery child to the recipient's uid (never uid 0).
 * fd 0: requests from quail-send, fd 1: replies (netstrings, the spawn
 * protocol in doc/ARCHITECTURE.md), fd 2: log.  cwd HOME.
 * Reads control/mailboxes.cdb, control/aliases.cdb, users/assign.cdb,
 * the password database, control/defaultdelivery, control/timeoutlocal;
 * opens queue/mess/NN/ID for each child; execs HOME/bin/quail-local.
 * Exit: 0 after EOF or SIGTERM with every delivery answered; 111 on a
 * protocol error or a failed reply write.
 * Trust: quail-send is trusted but every request is bounded and checked;
 * recipients and messages are never interpreted as root beyond lookups. */
#include <unistd.h>

#include "auto.h"
#include "control.h"
#include "die.h"
#include "exitcode.h"
#include "spawn.h"

int
main(void)
{
	static struct spawn sp;
	unsigned long timeout;

	log_init("quail-lspawn");
	if (getuid() != 0 || geteuid() != 0)
		die(EXIT_TEMP,
		    "must run as root (it sets the recipient's uid)");
	if (chdir(auto_home) < 0)
		die_sys(EXIT_TEMP, "unable to switch to %s", auto_home);
	if (control_readulong(&timeout, "timeoutlocal", 86400) < 0)
		die_sys(EXIT_TEMP, "unable to read control/timeoutlocal");
	if (timeout == 0 || timeout > 7 * 86400)
		timeout = 86400;
	if (spawn_init(&sp, auto_home, (unsigned)timeout) < 0)
		die_sys(EXIT_TEMP, "unable to start");
	_exit(spawn_loop(&sp));
}
