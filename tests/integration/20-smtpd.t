#!/bin/sh
# 20-smtpd.t: quail-smtpd under tcpserver as quaild, driven by python3
# smtplib, raw sockets and swaks: protocol, ESMTP extensions, limits,
# the open-relay battery, bare LF / NUL policy, timeouts, uids, and the
# real quail-queue.  Most cases use a stand-in queue program (QUAILQUEUE)
# that saves fd 0 and fd 1, so the message and envelope can be checked.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v cdb >/dev/null || t_skip_all "no cdb (tinycdb)"
t_home
H=$T_HOME
C=$H/control
uid=$(id -u quaild)
gid=$(getent group nofiles | cut -d: -f3)

# CDBs in the form of notes/cdb.md, written directly with tinycdb so this
# test does not depend on quail-ctl.
mkcdb() {
	out=$1
	shift
	for kv in "$@"; do
		k=${kv%%=*}
		v=${kv#*=}
		[ "$kv" = "$k" ] && v=
		printf '+%d,%d:%s->%s\n' ${#k} ${#v} "$k" "$v"
	done | { cat; echo; } | cdb -c "$out"
}
echo test.example >"$C/me"
mkcdb "$C/rcpthosts.cdb" test.example .sub.test.example '[127.0.0.2]'
mkcdb "$C/rcpt.cdb" @test.example=t:1 joe@test.example=t:2 \
    'list-*@test.example=t:3' postmaster@test.example=t:4 \
    @sub.test.example=t:5 ann@sub.test.example=t:6 '[127.0.0.2]'=t:7
mkcdb "$C/badmailfrom.cdb" spammer@bad.example @worse.example
mkcdb "$C/badrcptto.cdb" blocked@test.example
echo 1000000 >"$C/databytes"
chmod 644 "$C"/*

# The stand-in queue: message to msg.PID, envelope to env.PID (renamed
# into place only when complete), exit code from the file "code".
FQ=$H/fakeq
mkdir "$FQ" && chown quaild "$FQ"
cat >"$H/fakeq.sh" <<EOS
#!/bin/sh
cat >"$FQ/tmp.\$\$" || exit 54
cat <&1 >"$FQ/tenv.\$\$" || exit 54
code=\$(cat "$FQ/code" 2>/dev/null)
case \$code in 82) printf 'Dvirus found' >&6 ;; esac
[ -n "\$code" ] && [ "\$code" != 0 ] && exit \$code
mv "$FQ/tenv.\$\$" "$FQ/env.\$\$" && mv "$FQ/tmp.\$\$" "$FQ/msg.\$\$"
EOS
chmod 755 "$H/fakeq.sh"

echo '127.:allow,RELAYCLIENT=""' >"$H/relay.rules"
tcprules "$H/relay.cdb" "$H/relay.tmp" <"$H/relay.rules"
echo ':allow' >"$H/open.rules"
tcprules "$H/open.cdb" "$H/open.tmp" <"$H/open.rules"
P1=$(t_port)
P2=$(t_port)
P3=$(t_port)
t_bg env QUAILQUEUE="$H/fakeq.sh" tcpserver -R -H -l test.example \
    -x "$H/open.cdb" -u "$uid" -g "$gid" 127.0.0.1 "$P1" \
    "$T_BIN/quail-smtpd" 2>"$H/smtpd1.log"
TS1=$!
t_bg env QUAILQUEUE="$H/fakeq.sh" tcpserver -R -H -l test.example \
    -x "$H/relay.cdb" -u "$uid" -g "$gid" 127.0.0.1 "$P2" \
    "$T_BIN/quail-smtpd" 2>"$H/smtpd2.log"
t_bg tcpserver -R -H -l test.example -u "$uid" -g "$gid" 127.0.0.1 "$P3" \
    "$T_BIN/quail-smtpd" 2>"$H/smtpd3.log"
t_wait_port "$P1" && t_wait_port "$P2" && t_wait_port "$P3"
t_ok $? "three tcpservers listening"

python3 "$QUAIL_SRC/tests/integration/20-smtpd-cases.py" "$H" "$P1" "$P2" \
    "$TS1" "$uid" >"$H/py.out" 2>"$H/py.err"
while read -r st name; do
	case $st in
	ok) t_ok 0 "$name" ;;
	notok) t_ok 1 "$name" ;;
	'#') t_diag "$name" ;;
	esac
done <"$H/py.out"
[ -s "$H/py.err" ] && t_diag "$(cat "$H/py.err")"
grep -q 'quail-smtpd: info: msg qid=' "$H/smtpd1.log"
t_ok $? "a log line per message"
grep -q 'quail-smtpd: info: end ip=127.0.0.1' "$H/smtpd1.log"
t_ok $? "a log line per connection"

# swaks, a second independent client.
if command -v swaks >/dev/null; then
	swaks -s 127.0.0.1 -p "$P1" -f a@b.example -t joe@test.example \
	    --body 'swaks body' >"$H/swaks.out" 2>&1
	grep -q '<-  250 2.0.0 ok' "$H/swaks.out"
	t_ok $? "swaks delivers to the stand-in queue"
fi

# The real quail-queue: the message lands in queue/mess/NN/ID as quailq.
if [ -x "$T_BIN/quail-queue" ]; then
	python3 - "$P3" >"$H/real.out" 2>&1 <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("client.example")
code, msg = s.docmd("MAIL FROM:<a@b.example>")
s.docmd("RCPT TO:<joe@test.example>")
code, msg = s.data(b"Subject: real\r\n\r\nreal queue\r\n")
print(code, msg.decode())
s.quit()
PY
	id=$(sed -n 's/^250 2.0.0 ok \([0-9a-zA-Z]*\)$/\1/p' "$H/real.out")
	t_ok $([ -n "$id" ]; echo $?) "real quail-queue accepts ($(head -c 200 "$H/real.out"))"
	f=$(find "$H/queue/mess" -name "$id" -type f 2>/dev/null | head -1)
	t_ok $([ -n "$f" ]; echo $?) "message file queue/mess/NN/$id exists"
	t_is "$(stat -c %U "$f" 2>/dev/null)" quailq "queue file owned by quailq"
	grep -aq "with ESMTP id $id" "$f" 2>/dev/null
	t_ok $? "queue file holds our Received: with the id"
else
	t_diag "no quail-queue installed: real-queue cases skipped"
fi
t_done
