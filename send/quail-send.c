/* quail-send: the queue's scheduler.
 * Runs as quails, started by quail-start; works in HOME/queue.  fds: 0
 * /dev/null; 1 requests to quail-lspawn, 3 its replies; 4 requests to
 * quail-rspawn, 5 its replies (both closed: remote mail stays queued); 6
 * requests to quail-clean, 7 its replies; 2 the log.  Reads queue/mess, todo,
 * hold, lock/trigger, control/; writes queue/info only.  Signals: TERM stop,
 * HUP reread control and hold/, ALRM retry everything now.  Exits 0 after TERM,
 * 111 on any fatal error or when a peer died (quail-start restarts all).
 * Trust: envelopes and spawn replies are parsed with bounds; it never
 * runs as root and writes no file but its own state. */
#include <unistd.h>
#include "auto.h"
#include "die.h"
#include "sendd.h"

static struct sendd state;

int
main(void)
{
	struct sendd *s = &state;

	log_init("quail-send");
	if (getuid() == 0 || geteuid() == 0)
		die(111, "refusing to run as root");
	if (chdir(auto_home) < 0 || chdir("queue") < 0)
		die_sys(111, "unable to chdir to %s/queue", auto_home);
	sendd_init(s);
	log_info("status: started, local %u, remote %u%s", s->ch[0].conc,
	    s->ch[1].conc, s->ch[1].up ? "" : " (no remote delivery program)");
	sendd_run(s);
	sendd_stop(s);
	return s->term ? 0 : 111;
}
