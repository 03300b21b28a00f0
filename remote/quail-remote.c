/* quail-remote: delivers one message to the recipients of one domain
 * over SMTP (RFC 5321), for quail-rspawn.
 * Usage: quail-remote domain sender rcpt...  (sender "" for <>)
 *        quail-remote -s domain  (session mode: successive messages over
 *        one kept connection, requests on fd 0, replies on fd 1; serve.c)
 * Runs as: quailr, cwd HOME.  fd 0: the message (LF line ends), at its
 * start; fd 1: one result per recipient in order, "<K|Z|D><text>" and
 * a NUL each; fd 2: log.  Reads queue/mess (-s), control/smtproutes(.cdb),
 * tlsdestinations, relayauth, tlsca, dnsserver, helohost (default me),
 * timeoutconnect (60), timeoutremote (1200).
 * Exit: 0 when every result was written, 100 usage, 111 otherwise.
 * Trust: the peer, DNS answers and the message are untrusted. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "control.h"
#include "die.h"
#include "exitcode.h"
#include "io.h"
#include "remote.h"

static unsigned
ctl_ulong(const char *name, unsigned long def, unsigned long max)
{
	unsigned long v;

	if (control_readulong(&v, name, def) < 0)
		die_sys(EXIT_TEMP, "unable to read control/%s", name);
	return (unsigned)(v == 0 || v > max ? def : v);
}

static void
output(struct job *j)
{
	static struct buf o = BUF_INIT(RCPT_MAX * (RESULT_MAX + 8));
	size_t i;

	for (i = 0; i < j->n; i++)
		if (buf_catc(&o, j->res[i].st ? j->res[i].st : 'Z') < 0 ||
		    buf_cat(&o, j->res[i].text.p, j->res[i].text.len) < 0 ||
		    buf_catc(&o, 0) < 0)
			die_nomem();
	if (io_writeall(1, o.p, o.len, 60) < 0)
		die_sys(EXIT_TEMP, "unable to write the results");
}

int
main(int argc, char **argv)
{
	static struct job j;
	static struct result res[RCPT_MAX];
	struct buf helo = BUF_INIT(256);
	int i;

	bool sess = argc == 3 && strcmp(argv[1], "-s") == 0;

	log_init("quail-remote");
	if (!sess && (argc < 4 || argc - 3 > RCPT_MAX))
		die(EXIT_PERM, "usage: quail-remote domain sender rcpt... | "
		               "quail-remote -s domain");
	if (chdir(auto_home) < 0)
		die_sys(EXIT_TEMP, "unable to switch to %s", auto_home);
	if (control_readline(&helo, "helohost", NULL) < 0 ||
	    (helo.len == 0 && control_readline(&helo, "me", "localhost") < 0))
		die_sys(EXIT_TEMP, "unable to read control/helohost");
	j.helo = (const char *)helo.p;
	j.tconnect = ctl_ulong("timeoutconnect", 60, 3600);
	j.timeout = ctl_ulong("timeoutremote", 1200, 86400);
	if (dns_init() < 0)
		die_sys(EXIT_TEMP, "unable to set up the resolver");
	j.res = res;
	for (i = 0; i < RCPT_MAX; i++)
		buf_init(&res[i].text, RESULT_MAX);
	if (sess) {
		j.domain = argv[2];
		_exit(serve(&j));
	}
	j.domain = argv[1];
	j.sender = argv[2];
	j.rcpt = argv + 3;
	j.n = (size_t)(argc - 3);
	buf_init(&j.user, 1024);
	buf_init(&j.pass, 1024);
	if (msg_scan(&j.msg, 0) < 0)
		die_sys(EXIT_TEMP, "unable to read the message");
	deliver(&j);
	output(&j);
	_exit(EXIT_DONE);
}
