#!/bin/sh
# 90-pop3.t: quail-pop3d under tcpserver as quaild with the real
# quail-auth (virtual users from control/mailboxes), driven by python3
# poplib and raw sockets (90-pop3-cases.py), curl pop3:// and fetchmail.
# Checks Maildir effects (DELE + QUIT vs a dropped connection, new/ ->
# cur/ with S), the maildrop lock, hostile input, uids, 10,000 messages.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v openssl >/dev/null || t_skip_all "no openssl"
t_home
H=$T_HOME
C=$H/control
[ -x "$T_BIN/quail-auth" ] || t_skip_all "quail-auth not built"
hash=$(openssl passwd -6 secret)
{
	echo "alice@example.org:$hash:0:"
	echo "bob@example.org:$hash:0:"
	echo "carol@example.org:$hash:0:nopop"
} >"$C/mailboxes"
"$T_BIN/quail-ctl" compile >"$H/compile.log" 2>&1
t_ok $? "quail-ctl compile of control/mailboxes"

# Maildirs written as quailv, as quail-local would (LF line ends).
for u in alice bob carol; do
	mkdir -p "$H/mail/example.org/$u/Maildir/new" \
	    "$H/mail/example.org/$u/Maildir/cur" \
	    "$H/mail/example.org/$u/Maildir/tmp"
done
A=$H/mail/example.org/alice/Maildir
python3 - "$A" "$H/mail/example.org/bob/Maildir" <<'PY'
import os, sys
a, b = sys.argv[1], sys.argv[2]
def put(d, sub, name, data):
    open(os.path.join(d, sub, name), "wb").write(data)
m1 = b"Subject: one\nFrom: x@example.org\n\n.leading dot\nline 2\n..two dots\n"
put(a, "new", "1700000001.M1P1.h,S=%d,W=%d" % (len(m1), len(m1) + m1.count(b"\n")), m1)
m2 = b"Subject: two\n\nbody a\nbody b\nbody c\n"
put(a, "new", "1700000002.M1P1.h", m2)
m3 = b"Subject: three\r\n\r\nalready crlf\r\nno final newline"
put(a, "cur", "1700000003.M1P1.h:2,F", m3)
body = b"Subject: bulk\n\nx\n"
for i in range(10000):
    put(b, "new", "1700%06d.M%dP9.h,S=%d" % (i, i, len(body)), body)
PY
chown -R quailv "$H/mail"
chmod -R go-rwx "$H/mail"

P=$(t_port)
uid=$(id -u quaild)
gid=$(getent group nofiles | cut -d: -f3)
t_bg tcpserver -R -H -l test.example -u "$uid" -g "$gid" 127.0.0.1 "$P" \
    "$T_BIN/quail-pop3d" "$T_BIN/quail-auth" "$T_BIN/quail-pop3d" \
    2>"$H/pop3d.log"
t_wait_port "$P"
t_ok $? "tcpserver listening"

python3 "$QUAIL_SRC/tests/integration/90-pop3-cases.py" "$H" "$P" \
    "$(id -u quaild)" "$(id -u quailv)" >"$H/cases.out" 2>&1
while read -r word rest; do
	case $word in
	ok) t_ok 0 "$rest" ;;
	notok) t_ok 1 "$rest" ;;
	*) echo "# $word $rest" ;;
	esac
done <"$H/cases.out"

# Alice has 2 messages left: 90-pop3-cases.py deleted "two" with QUIT.
# curl: list and retrieve (message 1 of alice; nothing deleted).
if command -v curl >/dev/null; then
	out=$(curl -s --max-time 20 -u 'alice@example.org:secret' \
	    "pop3://127.0.0.1:$P/")
	t_is "$(echo "$out" | tr -d '\r' | wc -l | tr -d ' ')" 2 "curl pop3 list"
	curl -s --max-time 20 -u 'alice@example.org:secret' \
	    "pop3://127.0.0.1:$P/1" | tr -d '\r' >"$H/curl1"
	grep -q '^\.leading dot$' "$H/curl1"
	t_ok $? "curl pop3 retrieve (dot-unstuffed)"
fi

# fetchmail: keep, then flush (deletes on the server).
if command -v fetchmail >/dev/null; then
	FM=$H/fm
	mkdir -p "$FM"
	printf 'poll 127.0.0.1 service %s protocol pop3\n  user "alice@example.org" password "secret" sslproto ""\n' "$P" >"$FM/rc"
	chmod 600 "$FM/rc"
	HOME=$FM timeout 60 fetchmail -f "$FM/rc" -i "$FM/ids" --keep \
	    --mda "sh -c 'cat >>$FM/box'" >"$FM/log1" 2>&1
	t_is "$(grep -c '^Subject:' "$FM/box" 2>/dev/null)" 2 \
	    "fetchmail --keep fetched 2"
	t_is "$(ls "$A/new" "$A/cur" | grep -c 1700)" 2 "keep: nothing deleted"
	HOME=$FM timeout 60 fetchmail -f "$FM/rc" -i "$FM/ids2" --all \
	    --nokeep --mda "sh -c 'cat >>$FM/box2'" >"$FM/log2" 2>&1
	t_is "$(grep -c '^Subject:' "$FM/box2" 2>/dev/null)" 2 \
	    "fetchmail flush fetched 2"
	t_is "$(ls "$A/new" "$A/cur" | grep -c 1700)" 0 "flush: all deleted"
fi
[ -s "$H/pop3d.log" ] && sed 's/^/# log: /' "$H/pop3d.log" | tail -5
grep -q secret "$H/pop3d.log"
t_ok $((!$?)) "no password in the log"
t_done
