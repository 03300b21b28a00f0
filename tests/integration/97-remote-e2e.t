#!/bin/sh
# 97-remote-e2e.t: the whole outbound path.  A system runs under svscan
# (quail-ctl up: smtpd and send only); mail goes in through
# HOME/bin/sendmail from a virtual user and out through quail-send,
# quail-rspawn and quail-remote, routed by smtproutes:
#   to the fake peer (95-remote-peer.py): delivered; 451 -> still queued,
#   delivered by the retry after the peer changed its mind; 550 -> a DSN
#   in the sender's Maildir; the connection dropped in DATA -> queued,
#   nothing lost, delivered whole by the retry;
#   to a private Postfix instance (smtpd on a high port, virtual(8)
#   Maildir): the mail lands in Postfix's Maildir; and Postfix relaying
#   to quail-smtpd through a transport map.  The Postfix part is skipped
#   (TAP SKIP) when postfix is not installed and cannot be.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
H=$T_HOME
CTL=$H/bin/quail-ctl
W=$H/t
mkdir -p "$W"
PEER=$QUAIL_SRC/tests/integration/95-remote-peer.py
PF=
SVSCAN=

stop_all() {
	if [ -n "$PF" ] && [ -f "$PF/spool/pid/master.pid" ]; then
		timeout 60 postfix -c "$PF/etc" stop >/dev/null 2>&1
	fi
	if [ -n "$SVSCAN" ]; then
		kill "$SVSCAN" 2>/dev/null
		for s in "$H"/boot/*/ "$H"/boot/*/log/; do
			[ -d "$s/supervise" ] && svc -dx "$s" 2>/dev/null
		done
	elif [ -f "$H/boot/.svscan.pid" ]; then
		timeout 60 "$CTL" down >/dev/null 2>&1
	fi
	t_cleanup
}
trap stop_all EXIT

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
SMD=$H/mail/local.test/sender/Maildir
queue_empty() {
	[ -z "$(find "$H/queue/mess" "$H/queue/todo" "$H/queue/info" -type f | head -n 1)" ]
}
# rcpt_state ADDR: state and last result of ADDR in the queue ("" if none)
rcpt_state() {
	"$CTL" queue list --json 2>/dev/null | python3 -c 'import json, sys
for m in json.load(sys.stdin):
    for r in m["recipients"]:
        if r["address"] == sys.argv[1]:
            print(r["state"], r.get("attempts"), r.get("last_error") or "")' "$1"
}
pending_tried() { rcpt_state "$1" | grep -q "^pending [1-9]"; }
# peer_got TOKEN: how many sessions delivered a message with TOKEN
peer_got() {
	python3 -c 'import json, sys
n = 0
for l in open(sys.argv[1]):
    if l.strip():
        d = json.loads(l).get("data") or ""
        n += ("token " + sys.argv[2]) in d.split("\n") and \
            not json.loads(l).get("error")
print(n)' "$W/peer.log" "$1"
}
peer_has() { [ "$(peer_got "$1")" -ge 1 ]; }
# dropped: a session the peer broke off in DATA
dropped() {
	grep -q '"error": "EOFError"' "$W/peer.log" &&
	    python3 -c 'import json, sys
sys.exit(not any("DATA" in json.loads(l)["cmds"] and json.loads(l).get("error")
                 for l in open(sys.argv[1]) if l.strip()))' "$W/peer.log"
}
inject() { # inject TOKEN RCPT: a message from sender@local.test
	printf 'From: sender@local.test\nTo: %s\nSubject: %s\n\nfirst line\n.a dot line\ntoken %s\nlast line\n' \
	    "$2" "$1" "$1" | "$H/bin/sendmail" -f sender@local.test "$2"
}
peer_conf() { printf '%s\n' "$1" >"$W/peer.json.new" && mv "$W/peer.json.new" "$W/peer.json"; }

# ---- the host ----------------------------------------------------------
echo quail.test >"$H/control/me"
echo quail.test >"$H/control/locals"
echo quail.test >"$H/control/rcpthosts"
QP=$(t_port)
PP=$(t_port)
r=0
"$CTL" domain add local.test >"$W/ctl.log" 2>&1 || r=1
echo pw-sender | "$CTL" user add sender@local.test >>"$W/ctl.log" 2>&1 || r=1
printf 'peer.test:127.0.0.1:%s\n' "$PP" >"$H/control/smtproutes"
"$CTL" compile >>"$W/ctl.log" 2>&1 || r=1
t_ok $r "virtual user sender@local.test, smtproutes to the fake peer"
[ $r = 0 ] || t_diag "$(cat "$W/ctl.log")"

peer_conf '{"ehlo": ["PIPELINING", "8BITMIME"], "lifetime": 600}'
: >"$W/peer.log"
t_bg python3 "$PEER" "$PP" "$W/peer.json" "$W/peer.log"
t_wait_port "$PP"

for s in "$H"/boot/*/; do
	case $s in */smtpd/ | */send/) ;; *) rm -rf "$s" ;; esac
done
if timeout 60 "$CTL" up --smtp "$QP" >"$W/up.log" 2>&1; then
	how="quail-ctl up"
else
	how="svscan (quail-ctl up failed: $(tr '\n' ' ' <"$W/up.log"))"
	svscan "$H/boot" >/dev/null 2>&1 &
	SVSCAN=$!
fi
t_wait_port "$QP"
t_ok $? "system up under $how"
waitfor 15 svok "$H/boot/send"
t_ok $? "quail-start supervised"

# ---- delivered -----------------------------------------------------------
inject m-ok ok@peer.test
t_ok $? "sendmail accepted m-ok"
waitfor 30 peer_has m-ok
t_ok $? "m-ok delivered to the peer"
waitfor 15 queue_empty
t_ok $? "queue empty after m-ok"
python3 -c 'import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = [x for x in s if x["data"] and "token m-ok" in x["data"]][0]
d = s["data"].split("\n")
ok = "MAIL FROM:<sender@local.test>" in " ".join(s["cmds"]) and \
    "RCPT TO:<ok@peer.test>" in s["cmds"] and "..a dot line" in d and \
    d[-1] == "last line" and s["pipelined"]
sys.exit(not ok)' "$W/peer.log"
t_ok $? "envelope, dot-stuffing and the whole body as sent (pipelined)"

# ---- 451: retried, delivered after the peer changes its mind -------------
peer_conf '{"rcpt": {"later@peer.test": "451 4.2.0 try again later"}, "lifetime": 600}'
inject m-later later@peer.test
waitfor 30 pending_tried later@peer.test
t_ok $? "451: the recipient stays pending after an attempt"
rcpt_state later@peer.test | grep -q '451 4.2.0 try again later'
t_ok $? "the peer's 451 text recorded: $(rcpt_state later@peer.test)"
peer_conf '{"lifetime": 600}'
"$CTL" queue retry >/dev/null 2>&1 || svc -a "$H/boot/send"
waitfor 30 peer_has m-later
t_ok $? "after quail-ctl queue retry the second attempt delivers it"
waitfor 15 queue_empty
t_ok $? "queue empty after the retry"
t_is "$(peer_got m-later)" 1 "delivered once"

# ---- 550: a DSN to the sender ---------------------------------------------
peer_conf '{"rcpt": {"bad@peer.test": "550 5.1.1 no such user here"}, "lifetime": 600}'
inject m-bad bad@peer.test
dsn() {
	grep -l '^Content-Type: multipart/report' "$SMD"/new/* 2>/dev/null |
	    xargs -r grep -l '^Subject: m-bad$' 2>/dev/null | head -n 1
}
has_dsn() { [ -n "$(dsn)" ]; }
waitfor 30 has_dsn
t_ok $? "550: a bounce arrived in sender@local.test's Maildir"
f=$(dsn)
grep -q '^Status: 5.1.1' "$f" 2>/dev/null &&
    grep -q '^Final-Recipient: rfc822; *bad@peer.test' "$f" &&
    grep -q '^Diagnostic-Code: smtp; *550 5.1.1 no such user here' "$f" &&
    grep -q '^Action: failed' "$f"
rc=$?
t_ok $rc "the DSN: Status 5.1.1, Final-Recipient, the peer's reply"
[ $rc = 0 ] || t_diag "$(head -60 "$f" 2>/dev/null)"
waitfor 15 queue_empty
t_ok $? "queue empty after the bounce"

# ---- connection dropped in DATA: retried, nothing lost -------------------
peer_conf '{"ehlo": ["PIPELINING"], "drop_in_data": true, "lifetime": 600}'
inject m-drop drop@peer.test
waitfor 30 dropped && waitfor 15 pending_tried drop@peer.test
t_ok $? "dropped in DATA: still pending"
rcpt_state drop@peer.test | grep -q 'connection lost during DATA'
t_ok $? "the reason recorded: $(rcpt_state drop@peer.test)"
t_is "$(peer_got m-drop)" 0 "nothing counted as delivered yet"
peer_conf '{"ehlo": ["PIPELINING"], "lifetime": 600}'
"$CTL" queue retry >/dev/null 2>&1 || svc -a "$H/boot/send"
waitfor 30 peer_has m-drop
t_ok $? "the retry delivers it"
python3 -c 'import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
s = [x for x in s if x["data"] and "token m-drop" in x["data"]]
d = s[0]["data"].split("\n")
sys.exit(not (len(s) == 1 and "first line" in d and "..a dot line" in d and
              d[-1] == "last line"))' "$W/peer.log"
t_ok $? "the whole message arrived"
waitfor 15 queue_empty
t_ok $? "queue empty at the end of the fake-peer part"

# ---- Postfix ----------------------------------------------------------------
pf_skip() {
	echo "ok $((T_N + 1)) # SKIP $1"
	T_N=$((T_N + 1))
	t_done
}
if ! command -v postfix >/dev/null || ! command -v postconf >/dev/null; then
	echo "postfix postfix/main_mailer_type select No configuration" |
	    debconf-set-selections 2>/dev/null
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q \
	    --no-install-recommends postfix >"$W/apt.log" 2>&1
fi
command -v postfix >/dev/null && id postfix >/dev/null 2>&1 &&
    getent group postdrop >/dev/null || pf_skip "postfix not installable"

PF=$W/pf
PFP=$(t_port)
mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$PF/mail"
chown postfix "$PF/data"
chown nobody "$PF/mail"
cat >"$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = pf.test
mydomain = pf.test
myorigin = pf.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_banner = \$myhostname ESMTP
alias_maps =
alias_database =
biff = no
virtual_mailbox_domains = vpf.test
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/etc/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
transport_maps = texthash:$PF/etc/transport
smtp_tls_security_level = none
EOF
echo "pfuser@vpf.test vpf.test/pfuser/" >"$PF/etc/vmailbox"
echo "local.test smtp:[127.0.0.1]:$QP" >"$PF/etc/transport"
cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$PFP inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
virtual   unix  - n n - - virtual
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
timeout 60 postfix -c "$PF/etc" start >"$W/pf-start.log" 2>&1
r=$?
[ $r = 0 ] && t_wait_port "$PFP"
r=$((r + $?))
if [ $r != 0 ]; then
	t_diag "$(cat "$W/pf-start.log" "$PF/maillog" 2>/dev/null)"
	PF=
	pf_skip "the private Postfix instance did not start"
fi
t_ok 0 "private Postfix on 127.0.0.1:$PFP (config $PF/etc)"

# quail -> Postfix
printf 'peer.test:127.0.0.1:%s\nvpf.test:127.0.0.1:%s\n' "$PP" "$PFP" \
    >"$H/control/smtproutes"
"$CTL" compile >>"$W/ctl.log" 2>&1
inject m-topf pfuser@vpf.test
pf_has() {
	grep -qx 'token m-topf' "$PF"/mail/vpf.test/pfuser/new/* 2>/dev/null
}
waitfor 30 pf_has
rc=$?
t_ok $rc "quail -> Postfix: in Postfix's Maildir"
[ $rc = 0 ] || t_diag "$(tail -20 "$PF/maillog"; "$CTL" queue list 2>&1)"
f=$(grep -lx 'token m-topf' "$PF"/mail/vpf.test/pfuser/new/* 2>/dev/null | head -n 1)
grep -q '^Return-Path: <sender@local.test>' "$f" 2>/dev/null &&
    grep -qx '\.a dot line' "$f" && grep -qx 'last line' "$f"
t_ok $? "Postfix got the envelope sender and the body intact"
grep -q 'to=<pfuser@vpf.test>.*status=sent' "$PF/maillog"
t_ok $? "Postfix logged the delivery"
waitfor 15 queue_empty
t_ok $? "quail's queue empty"

# Postfix -> quail-smtpd
python3 - "$PFP" <<'PY' >"$W/pf-smtp.log" 2>&1
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.sendmail("pfuser@vpf.test", ["sender@local.test"],
           "From: pfuser@vpf.test\r\nTo: sender@local.test\r\n"
           "Subject: m-frompf\r\n\r\nvia postfix\r\ntoken m-frompf\r\n")
s.quit()
PY
t_ok $? "Postfix accepted m-frompf for sender@local.test"
q_has() { grep -qx 'token m-frompf' "$SMD"/new/* 2>/dev/null; }
waitfor 30 q_has
rc=$?
t_ok $rc "Postfix -> quail-smtpd: in sender@local.test's Maildir"
[ $rc = 0 ] || t_diag "$(tail -20 "$PF/maillog")"
f=$(grep -lx 'token m-frompf' "$SMD"/new/* 2>/dev/null | head -n 1)
grep -q '^Return-Path: <pfuser@vpf.test>' "$f" 2>/dev/null &&
    grep -q '(quail-smtpd)' "$f" && grep -q 'by pf.test (Postfix' "$f"
t_ok $? "Received: lines of both, Return-Path from Postfix's envelope"
grep -q "relay=127.0.0.1\[127.0.0.1\]:$QP.*status=sent" "$PF/maillog"
t_ok $? "Postfix logged the relay to quail"

timeout 60 postfix -c "$PF/etc" stop >/dev/null 2>&1
t_ok $? "postfix -c stop"
i=0
while [ -f "$PF/spool/pid/master.pid" ] &&
    kill -0 "$(cat "$PF/spool/pid/master.pid" 2>/dev/null)" 2>/dev/null &&
    [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
PF=
t_done
