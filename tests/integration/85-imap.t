#!/bin/sh
# 85-imap.t: quail-imapd under tcpserver as quaild, started by the
# installed HOME/boot/imapd/run, with the real quail-auth and a virtual
# user, driven by python3 imaplib and raw sockets (85-imap-cases.py:
# every command, two sessions and a delivery, IDLE, quota, the cache,
# Dovecot/Courier UID adoption, hostile input), then curl imap:// and
# fetchmail.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v openssl >/dev/null || t_skip_all "no openssl"
t_home
H=$T_HOME
C=$H/control
[ -x "$T_BIN/quail-auth" ] || t_skip_all "quail-auth not built"
echo "alice@example.org:$(openssl passwd -6 secret):0:" >"$C/mailboxes"
"$T_BIN/quail-ctl" compile >"$H/compile.log" 2>&1
t_ok $? "quail-ctl compile of control/mailboxes"

A=$H/mail/example.org/alice/Maildir
mkdir -p "$A/new" "$A/cur" "$A/tmp"
python3 - "$A" <<'PY'
import os, sys
a = sys.argv[1]
def put(sub, name, data):
    open(os.path.join(a, sub, name), "wb").write(data)
put("cur", "1700000001.M1P1.h:2,", b"Subject: one\nFrom: Joe <x@example.org>\n"
    b"Date: 1 Jun 2025 10:00:00 +0000\n\nhello\n")
put("new", "1700000002.M1P1.h", b"Subject: two\n\nbody a\nbody b\n")
put("new", "1700000003.M1P1.h", b"""Subject: three
X-Spam: yes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

preamble
--XX
Content-Type: text/plain; charset=utf-8

text part
--XX
Content-Type: application/octet-stream; name="a.bin"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="a.bin"

aGVsbG8=
--XX--
""")
# folders written by Dovecot and Courier: their UIDs are adopted
for d in (".Dove", ".Dove/cur", ".Dove/new", ".Dove/tmp", ".Cour",
          ".Cour/cur", ".Cour/new", ".Cour/tmp"):
    os.mkdir(os.path.join(a, d))
open(os.path.join(a, ".Dove/dovecot-uidlist"), "w").write(
    "3 V1234 N10 Gabcdef\n5 :1600000000.M1P1.old\n7 W123 :1600000001.M2P1.old\n")
put(".Dove/cur", "1600000000.M1P1.old:2,S", b"Subject: d1\n\nx\n")
put(".Dove/new", "1600000001.M2P1.old", b"Subject: d2\n\nx\n")
put(".Dove/new", "1600000002.M3P1.new", b"Subject: d3\n\nx\n")
open(os.path.join(a, ".Cour/courierimapuiddb"), "w").write(
    "1 999 5\n3 1500000000.M1.c\n")
put(".Cour/cur", "1500000000.M1.c:2,", b"Subject: c1\n\nx\n")
PY
chown -R quailv "$H/mail"
chmod -R go-rwx "$H/mail"

P=$(t_port)
# started by the installed run script, as supervise would
mkdir -p "$H/boot/imapd/env"
echo 127.0.0.1 >"$H/boot/imapd/env/IP"
echo "$P" >"$H/boot/imapd/env/PORT"
t_bg sh -c "cd '$H/boot/imapd' && exec ./run >'$H/imapd.log' 2>&1"
t_wait_port "$P"
t_ok $? "tcpserver listening"

python3 "$QUAIL_SRC/tests/integration/85-imap-cases.py" "$H" "$P" \
    "$(id -u quailv)" >"$H/cases.out" 2>&1
while read -r word rest; do
	case $word in
	ok) t_ok 0 "$rest" ;;
	notok) t_ok 1 "$rest" ;;
	*) echo "# $word $rest" ;;
	esac
done <"$H/cases.out"
grep -q '^ok ownership\|uid list written' "$H/cases.out"
t_ok $? "the case script ran to the end"

if command -v curl >/dev/null; then
	out=$(curl -s --max-time 20 -u 'alice@example.org:secret' \
	    "imap://127.0.0.1:$P/" | tr -d '\r')
	echo "$out" | grep -q 'LIST.*"Old"'
	t_ok $? "curl imap:// lists mailboxes"
	out=$(curl -s --max-time 20 -u 'alice@example.org:secret' \
	    "imap://127.0.0.1:$P/Old;UID=1" | tr -d '\r')
	t_is "$(echo "$out" | sed -n 1p)" "Subject: one" "curl imap:// fetches a message"
fi
if command -v fetchmail >/dev/null; then
	printf 'poll 127.0.0.1 service %s protocol imap user "alice@example.org" password "secret" is root here keep fetchall folder Old mda "cat >>%s/fetched"\n' \
	    "$P" "$H" >"$H/fetchmailrc"
	chmod 600 "$H/fetchmailrc"
	HOME=$H timeout 60 fetchmail -f "$H/fetchmailrc" -s --nosslcertck \
	    --sslproto '' >"$H/fetchmail.log" 2>&1
	grep -q '^Subject: one' "$H/fetched"
	t_ok $? "fetchmail over IMAP fetches (keep)"
fi
grep -q 'quail-imapd: fatal' "$H/imapd.log"
t_ok $((! $?)) "no fatal errors logged"
t_done
