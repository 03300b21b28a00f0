/* quail-pop3d: POP3 server (RFC 1939, 2449, 2595, 5034) over Maildir.
 * Two roles of one program, qmail-popup/qmail-pop3d style:
 *   quail-pop3d checkpassword prog...  AUTHORIZATION state, as quaild:
 *     nofiles (tcpserver -u -g, or quail-tls's child); each login forks
 *     checkpassword (HOME/bin/quail-auth) which runs prog as the owner.
 *   quail-pop3d          the mailbox session, as the owner: $MAILDIR or
 *     $HOME/Maildir; fds 5 (started) and 6 (input read ahead) from the
 *     login process.
 * Fds: 0/1 client, 2 log; 3 quail-tls's control socket (QUAIL_TLSFD).
 * Exit: 0 done, 100 protocol violation or usage, 111 temporary failure.
 * Trust: all input is hostile; neither role runs as root.
 * See quail-pop3d(8). */
#include <signal.h>
#include <unistd.h>

#include "die.h"
#include "pop3d.h"
#include "sig.h"

int
main(int argc, char **argv)
{
	log_init("quail-pop3d");
	if (getuid() == 0 || geteuid() == 0) {
		(void)io_writeall(1, "-ERR misconfigured\r\n", 20, 10);
		die(111, "refusing to run as root: use tcpserver -u -g");
	}
	if (sig_ignore(SIGPIPE) < 0)
		die_sys(111, "unable to ignore SIGPIPE");
	if (argc <= 1)
		pop3_sess_run();
	if (argv[1][0] == '-')
		die(100, "usage: quail-pop3d [checkpassword prog ...]");
	pop3_login_run(argv + 1);
}
