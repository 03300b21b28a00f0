/* quail-authok: the program quail-smtpd names to the checkpassword
 * program (quail-auth) when it only wants a password checked: it is run
 * as the authenticated user after a good password and exits 0 at once.
 * Runs as: the user quail-auth switched to.  Fds, dirs: none used.
 * Exits: 0 always (quail-auth itself exits 1 on a bad password).
 * Trust: no input at all. */
int
main(void)
{
	return 0;
}
