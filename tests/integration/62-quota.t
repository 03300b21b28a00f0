#!/bin/sh
# 62-quota.t: over quota refused at RCPT where quail-smtpd can know it.
# A virtual mailbox with a 2 KB quota under a whole running system
# (quail-ctl up: smtpd and send): the first oversize message is accepted
# and bounced by quail-local, which leaves HOME/quota/tiny@q.test (owned
# by quailv); then RCPT gets 452 4.2.2 (any case of the address), other
# recipients are not affected, control/quotamarkerage is honoured (0:
# off); a backdated (stale) marker lets one message through: oversize
# again, it bounces and refreshes the marker; small, it is delivered and
# the marker is removed.  The delivery also removes a 2-day-old file from
# the Maildir's tmp/ (the maildir spec's 36 hours) and keeps a fresh one.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
H=$T_HOME
CTL=$H/bin/quail-ctl
QV=$(sed -n 8p "$QUAIL_SRC/conf-users")

stop_system() {
	[ -f "$H/boot/.svscan.pid" ] && timeout 60 "$CTL" down >/dev/null 2>&1
}
cleanup_quota() {
	stop_system
	t_cleanup
}
trap cleanup_quota EXIT

waitfor() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
# tokens DIR SUBJ: delivered files in Maildir DIR carrying SUBJ's body
tokens() {
	cat "$1"/new/* "$1"/cur/* 2>/dev/null | grep -c "^token $2\$"
}
has_dsn() {
	grep -l '^Content-Type: multipart/report' "$1"/new/* 2>/dev/null |
	    xargs -r grep -l "^Subject: $2\$" 2>/dev/null | grep -q .
}
has() { [ "$(tokens "$1" "$2")" -ge 1 ]; }
queue_empty() {
	[ -z "$(find "$H/queue/mess" "$H/queue/todo" -type f | head -n 1)" ]
}
# send LINE...: messages through 60-e2e-smtp.py (SENDER|RCPTS|SUBJ|BYTES)
send() {
	printf '%s\n' "$@" | python3 "$QUAIL_SRC/tests/integration/60-e2e-smtp.py" "$P" \
	    >>"$H/smtp.out" 2>&1
}
reply() { sed -n "s/^$1 $2 //p" "$H/smtp.out" | tail -n 1; }
# rcpt ADDR: the reply to RCPT TO:<ADDR> (transaction reset, nothing sent)
rcpt() {
	python3 - "$P" "$1" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("q.test")
s.mail("alice@q.test")
code, text = s.rcpt(sys.argv[2])
print(code, text.decode(errors="replace"))
s.rset()
s.quit()
PY
}

# ---- the host ------------------------------------------------------------
echo mx.q.test >"$H/control/me"
echo mx.q.test >"$H/control/locals"
P=$(t_port)
ctl() { "$CTL" "$@" >>"$H/ctl.log" 2>&1; }
r=0
ctl domain add q.test || r=1
echo pw-alice | ctl user add alice@q.test || r=1
echo pw-tiny | ctl user add tiny@q.test --quota 2K || r=1
ctl compile || r=1
t_ok $r "quail-ctl builds a domain with a 2 KB mailbox"
[ $r = 0 ] || t_diag "$(cat "$H/ctl.log")"
t_is "$(stat -c '%U %a' "$H/quota" 2>/dev/null)" "$QV 755" \
    "HOME/quota installed from hier: $QV 0755"

for s in "$H"/boot/*/; do
	case $s in */smtpd/ | */send/) ;; *) rm -rf "$s" ;; esac
done
timeout 60 "$CTL" up --smtp "$P" >"$H/up.log" 2>&1
t_wait_port "$P"
t_ok $? "system up, smtpd on 127.0.0.1:$P"
[ -d "$H/mail/q.test/tiny" ] || waitfor 15 svok "$H/boot/send"

AL=$H/mail/q.test/alice/Maildir
TI=$H/mail/q.test/tiny/Maildir
MARK=$H/quota/tiny@q.test

# ---- 1: accepted, bounced, marker left ----------------------------------------
send 'alice@q.test|tiny@q.test|q-big1|4000'
case $(reply q-big1 tiny@q.test):$(reply q-big1 DATA) in
250*:250*) r=0 ;; *) r=1 ;; esac
t_ok $r "no marker yet: oversize message accepted ($(reply q-big1 DATA))"
waitfor 30 has_dsn "$AL" q-big1
t_ok $? "quail-local bounced it to the sender"
waitfor 10 test -f "$MARK"
t_ok $? "quail-local left the marker HOME/quota/tiny@q.test"
t_is "$(stat -c '%U %s' "$MARK" 2>/dev/null)" "$QV 0" "the marker: empty, owned by $QV"
t_is "$(tokens "$TI" q-big1)" 0 "nothing delivered past the quota"

# ---- 2: refused at RCPT while the marker is fresh -------------------------------
got=$(rcpt tiny@q.test)
case $got in "452 4.2.2"*) r=0 ;; *) r=1 ;; esac
t_ok $r "fresh marker: RCPT refused: $got"
case $(rcpt TINY@Q.Test) in "452 4.2.2"*) r=0 ;; *) r=1 ;; esac
t_ok $r "the address matches the marker in any case"
case $(rcpt alice@q.test) in 250*) r=0 ;; *) r=1 ;; esac
t_ok $r "other mailboxes are not affected"
case $(rcpt nobody@q.test) in "550 5.1.1"*) r=0 ;; *) r=1 ;; esac
t_ok $r "unknown users still get 550"
echo 0 >"$H/control/quotamarkerage"
case $(rcpt tiny@q.test) in 250*) r=0 ;; *) r=1 ;; esac
t_ok $r "control/quotamarkerage 0 turns the check off"
touch -d '-1 hour' "$MARK"
echo 7200 >"$H/control/quotamarkerage"
case $(rcpt tiny@q.test) in "452 4.2.2"*) r=0 ;; *) r=1 ;; esac
t_ok $r "quotamarkerage 7200: a 1-hour-old marker still refuses"
rm -f "$H/control/quotamarkerage"
case $(rcpt tiny@q.test) in 250*) r=0 ;; *) r=1 ;; esac
t_ok $r "default 900 s: a 1-hour-old marker is ignored"

# ---- 3: stale marker: one message through, quail-local checks again -----------
send 'alice@q.test|tiny@q.test|q-big2|4000'
t_is "$(reply q-big2 DATA | cut -c1-3)" 250 "stale marker: the next oversize message is accepted"
waitfor 30 has_dsn "$AL" q-big2
t_ok $? "and bounced again"
fresh() { [ "$(($(date +%s) - $(stat -c %Y "$MARK" 2>/dev/null || echo 0)))" -lt 600 ]; }
waitfor 10 fresh
t_ok $? "the bounce refreshed the marker"
case $(rcpt tiny@q.test) in "452 4.2.2"*) r=0 ;; *) r=1 ;; esac
t_ok $r "so RCPT is refused again"

# ---- 4: room again: delivered, marker removed, tmp/ cleaned -------------------
mkdir -p "$TI/tmp"
echo stale >"$TI/tmp/1.M1P1Q1.crashed"
echo fresh >"$TI/tmp/2.M2P2Q2.writing"
touch -d '-2 days' "$TI/tmp/1.M1P1Q1.crashed"
chown "$QV" "$TI/tmp/1.M1P1Q1.crashed" "$TI/tmp/2.M2P2Q2.writing"
touch -a -d '-9 hours' "$TI/tmp" # last scan long ago
touch -d '-1 hour' "$MARK"
send 'alice@q.test|tiny@q.test|q-small|300'
t_is "$(reply q-small DATA | cut -c1-3)" 250 "stale marker: a small message is accepted"
waitfor 30 has "$TI" q-small
t_ok $? "and delivered into the 2 KB mailbox"
waitfor 10 test ! -e "$MARK"
t_ok $? "the successful delivery removed the marker"
case $(rcpt tiny@q.test) in 250*) r=0 ;; *) r=1 ;; esac
t_ok $r "RCPT accepted again"
[ ! -e "$TI/tmp/1.M1P1Q1.crashed" ] && [ -e "$TI/tmp/2.M2P2Q2.writing" ]
t_ok $? "delivery removed the 2-day-old tmp/ file, kept the fresh one"
t_is "$(find "$TI" -type f ! -user "$QV" | head -n 3)" "" "every file in the mailbox owned by $QV"

waitfor 30 queue_empty
t_ok $? "the queue empties"
t_diag "$(cat "$H/smtp.out")"
stop_system
t_done
