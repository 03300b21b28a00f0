#!/bin/sh
# 85-imap.t: quail-imapd under tcpserver as quaild (as boot/imapd/run
# starts it) with the real quail-auth and a virtual user, driven by
# python3 imaplib and raw sockets (85-imap-cases.py: every command, two
# sessions and a delivery, IDLE, hostile input), then curl imap://.
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
PY
chown -R quailv "$H/mail"
chmod -R go-rwx "$H/mail"

P=$(t_port)
uid=$(id -u quaild)
gid=$(getent group nofiles | cut -d: -f3)
t_bg tcpserver -R -H -l test.example -u "$uid" -g "$gid" 127.0.0.1 "$P" \
    "$T_BIN/quail-imapd" "$T_BIN/quail-auth" 2>"$H/imapd.log"
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
grep -q 'quail-imapd: fatal' "$H/imapd.log"
t_ok $((! $?)) "no fatal errors logged"
t_done
