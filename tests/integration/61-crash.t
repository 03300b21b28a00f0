#!/bin/sh
# 61-crash.t: nothing accepted is lost when the delivery side crashes.
# SOAK_MESSAGES messages (default 200; make soak: 2000), each with a
# unique token, go through SMTP to one virtual mailbox while quail-send,
# quail-lspawn and quail-local are kill -9'd at random moments (supervise
# restarts them through quail-start).  Afterwards every accepted message
# is in the Maildir (distinct tokens == accepted), the queue is empty and
# nothing was delivered as root; duplicates (at-least-once delivery) are
# counted and reported as a diagnostic, not a failure.  Driver:
# 61-crash.py.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
H=$T_HOME
CTL=$H/bin/quail-ctl
N=${SOAK_MESSAGES:-200}
cleanup_crash() {
	[ -f "$H/boot/.svscan.pid" ] && timeout 60 "$CTL" down >/dev/null 2>&1
	t_cleanup
}
trap cleanup_crash EXIT

QV=$(sed -n 8p "$QUAIL_SRC/conf-users")
P=$(t_port)
echo "$P" >"$H/control/smtpdport"
echo 127.0.0.1 >"$H/control/smtpdaddr"
{
	"$CTL" domain add crash.test &&
	    echo pw | "$CTL" user add sink@crash.test
} >"$H/ctl.log" 2>&1
r=$?
t_ok $r "virtual mailbox sink@crash.test"
[ $r = 0 ] || t_diag "$(cat "$H/ctl.log")"
# only the services under test: the others (IMAP, POP3, TLS ...) would
# listen on their default ports, which concurrent tests would share
for s in "$H"/boot/*/; do
	case $s in */smtpd/ | */send/) ;; *) rm -rf "$s" ;; esac
done
timeout 60 "$CTL" up --smtp "$P" >"$H/up.log" 2>&1 && t_wait_port "$P"
r=$?
t_ok $r "system up (quail-ctl up), smtpd on 127.0.0.1:$P"
[ $r = 0 ] || { t_diag "$(cat "$H/up.log")"; t_done; }

MD=$H/mail/crash.test/sink/Maildir
timeout $((300 + N)) python3 "$QUAIL_SRC/tests/integration/61-crash.py" \
    "$H" "$P" sink@crash.test "$MD" "$N" >"$H/crash.out" 2>"$H/crash.err"
t_ok $? "crash run finished in time"
t_diag "$(cat "$H/crash.out" "$H/crash.err")"
v() { sed -n "s/^$1 //p" "$H/crash.out"; }
t_is "$(v accepted)" "$N" "all $N messages accepted (250) through SMTP"
t_is "$(v distinct)" "$(v accepted)" "every accepted message delivered, none lost (missing: $(v missing))"
t_is "$(v queue)" 0 "the queue is empty afterwards"
k=$(($(v kills-quail-send) + 0))
t_ok $((k == 0)) "quail-send was killed ($k times)"
k=$(($(v kills-quail-lspawn) + 0))
t_ok $((k == 0)) "quail-lspawn was killed ($k times)"
t_diag "quail-local killed $(v kills-quail-local) times; $(v duplicates) duplicate deliveries (at-least-once), $(v files) files for $(v accepted) messages"
t_diag "$(find "$MD/tmp" -type f 2>/dev/null | wc -l) files left in Maildir/tmp by killed deliveries"
t_is "$(find "$MD" -type f ! -user "$QV" | head -n 3)" "" "every delivered file owned by $QV"
restarts=$(grep -c 'quail-start: info: started quail-send' "$H/log/send/current" 2>/dev/null)
t_diag "quail-start started quail-send $restarts times"
t_done
