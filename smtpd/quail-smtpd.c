/* quail-smtpd: receive mail by SMTP (RFC 5321) and hand each message to
 * quail-queue.
 * Runs as: quaild:nofiles, under tcpserver -u/-g; refuses uid 0.
 * Fds: 0 client in, 1 client out, 2 log (one line per connection and per
 *   message).  Env: TCPREMOTEIP, TCPREMOTEHOST, TCPLOCALIP, TCPLOCALHOST,
 *   RELAYCLIENT (tcpserver rules), QUAILQUEUE (program run instead of
 *   HOME/bin/quail-queue), QUAIL_TLS/QUAIL_TLSFD (quail-tls in front:
 *   fd 3 is its control socket), QUAIL_SUBMISSION or -s (RFC 6409),
 *   QUAIL_CHECKPASSWORD.  AUTH forks HOME/bin/quail-auth.
 * Reads: HOME/control/ (me, smtpgreeting, databytes, timeoutsmtpd,
 *   maxrcpt, queuefreespace, rcpthosts.cdb, rcpt.cdb, badmailfrom.cdb,
 *   badrcptto.cdb); statvfs of HOME/queue.  Writes: nothing but the pipe
 *   to quail-queue.
 * Exits: 0 after QUIT or EOF, 100 after a protocol violation, 111 on a
 *   timeout or a local failure.  Trust: everything from fd 0 is hostile. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "die.h"
#include "io.h"
#include "sig.h"
#include "smtpd.h"

static struct smtpd session;

int
main(int argc, char **argv)
{
	log_init("quail-smtpd");
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-s") != 0))
		die(100, "usage: quail-smtpd [-s]");
	if (argc == 2 && setenv("QUAIL_SUBMISSION", "1", 1) < 0)
		die_nomem();
	if (getuid() == 0 || geteuid() == 0) {
		(void)io_writeall(
		    1, "421 4.3.0 misconfigured, closing\r\n", 34, 10);
		die(111, "refusing to run as root: use tcpserver -u -g");
	}
	if (sig_ignore(SIGPIPE) < 0)
		die_sys(111, "unable to ignore SIGPIPE");
	smtpd_session_init(&session);
	smtpd_session_run(&session);
}
