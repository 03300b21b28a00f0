#!/bin/sh
# scanner-example.sh: an example QUAILQUEUE program (quail-queue(8)).
#
# quail-smtpd runs the program named by $QUAILQUEUE instead of
# HOME/bin/quail-queue, with the same descriptors: the message on fd 0,
# the envelope on fd 1.  A filter reads the message, decides, and either
# exits with one of quail-queue's codes or execs quail-queue with fd 0
# replaced by the (possibly changed) message and fd 1 left untouched.
#
# This one pipes the message through a scanner command:
#   QUAIL_SCANNER  the filter, message on stdin, result on stdout.
#                  Default: "spamc" (SpamAssassin's client, which adds
#                  X-Spam-* headers) if installed, else "cat" (a
#                  placeholder that passes the message unchanged).
#   QUAIL_HOME     the quail home (default /var/quail).
#   TMPDIR         where the filtered copy is kept (default /tmp); it is
#                  unlinked before quail-queue runs.
# If the scanner fails, the message is refused temporarily (71): the
# client retries later and nothing is lost.  To refuse for good, exit 31;
# e.g. for ClamAV (clamdscan exits 1 when it finds a virus):
#     clamdscan --no-summary - <"$tmp" >/dev/null; [ $? -eq 1 ] && exit 31
#
# Install: copy to HOME/bin/quail-scan, chmod 755, and in tcp.smtp:
#     :allow,QUAILQUEUE="/var/quail/bin/quail-scan"
# The program runs as quail-smtpd's user (quaild), never as root.

QHOME=${QUAIL_HOME:-/var/quail}
if [ -n "${QUAIL_SCANNER:-}" ]; then
	scanner=$QUAIL_SCANNER
elif command -v spamc >/dev/null 2>&1; then
	scanner=spamc
else
	scanner=cat
fi

umask 077
tmp=$(mktemp "${TMPDIR:-/tmp}/quail-scan.XXXXXXXXXX") || exit 53
# The scanner reads fd 0 and writes the copy; fd 1 (the envelope) is
# not given to it.
if ! sh -c "$scanner" >"$tmp"; then
	rm -f "$tmp"
	exit 71
fi
exec 0<"$tmp" || {
	rm -f "$tmp"
	exit 54
}
rm -f "$tmp"
exec "$QHOME/bin/quail-queue"
