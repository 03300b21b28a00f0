/* quail-rspawn: runs remote deliveries for quail-send.
 * Runs as: quailr (started by quail-start), cwd HOME.
 * fd 0: requests, fd 1: replies (netstrings, the spawn protocol in
 * doc/ARCHITECTURE.md), fd 2: log.  Runs "bin/quail-remote -s DOMAIN"
 * workers, each keeping one SMTP session, and hands them one message
 * (up to 100 recipients of a domain) at a time over a pipe (see
 * quail-rspawn(8)).  Reads control/concurrencyperdomain (10),
 * control/concurrencyremote (20), control/timeoutremote.
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
	unsigned long per, tot, tr;

	log_init("quail-rspawn");
	if (getuid() == 0 || geteuid() == 0)
		die(EXIT_TEMP, "must not run as root (quail-start runs it as "
		               "quailr)");
	if (chdir(auto_home) < 0)
		die_sys(EXIT_TEMP, "unable to switch to %s", auto_home);
	if (control_readulong(&per, "concurrencyperdomain", 10) < 0 ||
	    control_readulong(&tot, "concurrencyremote", 20) < 0 ||
	    control_readulong(&tr, "timeoutremote", 1200) < 0)
		die_sys(EXIT_TEMP, "unable to read control files");
	if (per == 0 || per > 1000)
		per = 10;
	if (tot == 0 || tot > 1000)
		tot = 20;
	if (tr == 0 || tr > 86400)
		tr = 1200;
	/* a delivery still running after 4 x timeoutremote is killed */
	_exit(rspawn_main((unsigned)per, (unsigned)tot, 4 * tr));
}
