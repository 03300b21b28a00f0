/* quail-rspawn: runs remote deliveries for quail-send.
 * Runs as: quailr (started by quail-start), cwd HOME.
 * fd 0: requests, fd 1: replies (netstrings, the spawn protocol in
 * doc/ARCHITECTURE.md), fd 2: log.  Opens queue/mess/NN/ID for each
 * delivery and execs bin/quail-remote with it as fd 0, one process per
 * message and domain (recipients batched, see quail-rspawn(8)).
 * Reads control/concurrencyperdomain (10), control/timeoutremote.
 * Exit: 0 after EOF or SIGTERM with every delivery answered; 111 on a
 * protocol error or a failed reply write.
 * Trust: quail-send is trusted; requests are still bounded and checked. */
#include <unistd.h>

#include "auto.h"
#include "control.h"
#include "die.h"
#include "exitcode.h"
#include "remote.h"

int
main(void)
{
	unsigned long per, tr;

	log_init("quail-rspawn");
	if (getuid() == 0 || geteuid() == 0)
		die(EXIT_TEMP, "must not run as root (quail-start runs it as "
		               "quailr)");
	if (chdir(auto_home) < 0)
		die_sys(EXIT_TEMP, "unable to switch to %s", auto_home);
	if (control_readulong(&per, "concurrencyperdomain", 10) < 0 ||
	    control_readulong(&tr, "timeoutremote", 1200) < 0)
		die_sys(EXIT_TEMP, "unable to read control files");
	if (per == 0 || per > 1000)
		per = 10;
	if (tr == 0 || tr > 86400)
		tr = 1200;
	/* a delivery still running after 4 x timeoutremote is killed */
	_exit(rspawn_main((unsigned)per, 4 * tr));
}
