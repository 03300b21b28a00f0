#!/bin/sh
# 86-imap-tls.t: quail-imapd behind quail-tls, wired as boot/imapd/run
# (tcpserver -> quail-tls -s -> quail-imapd) and boot/imapsd/run
# (quail-tls -i), with a test CA made by openssl and the real quail-auth.
# python3 imaplib starttls() and IMAP4_SSL; plaintext pipelined after
# STARTTLS is discarded; imapdrequiretls gives LOGINDISABLED before TLS.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v openssl >/dev/null || t_skip_all "no openssl"
t_home
H=$T_HOME
C=$H/control
W=$H/work
mkdir -p "$W"
[ -x "$T_BIN/quail-tls" ] && [ -x "$T_BIN/quail-auth" ] ||
    t_skip_all "quail-tls or quail-auth not built"
echo "alice@example.org:$(openssl passwd -6 secret):0:" >"$C/mailboxes"
"$T_BIN/quail-ctl" compile >"$W/compile.log" 2>&1
t_ok $? "quail-ctl compile of control/mailboxes"
t_testcert "$W" "$H/ssl/servercert.pem"
t_ok $? "test CA and server certificate made with openssl"
A=$H/mail/example.org/alice/Maildir
mkdir -p "$A/new" "$A/cur" "$A/tmp"
printf 'Subject: tls\n\nbody\n' >"$A/new/1700000001.M1P1.h"
chown -R quailv "$H/mail"
chmod -R go-rwx "$H/mail"

PROG="$T_BIN/quail-imapd $T_BIN/quail-auth"
PS=$(t_port)
t_bg tcpserver -R -H -l localhost -u 0 -g 0 127.0.0.1 "$PS" \
    "$T_BIN/quail-tls" -s -t 10 -- $PROG 2>"$W/stls.log"
PI=$(t_port)
t_bg tcpserver -R -H -l localhost -u 0 -g 0 127.0.0.1 "$PI" \
    "$T_BIN/quail-tls" -i -t 10 -- $PROG 2>"$W/imaps.log"
t_wait_port "$PS" && t_wait_port "$PI"
t_ok $? "tcpserver with quail-tls -s and -i listening"

python3 - "$PS" "$PI" "$W/ca.pem" "$C" >"$W/cases.out" 2>&1 <<'PY'
import imaplib, socket, ssl, sys
ps, pi, ca, control = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
socket.setdefaulttimeout(20)
ctx = ssl.create_default_context(cafile=ca)
def res(c, n):
    print(("ok " if c else "notok ") + n)
m = imaplib.IMAP4("127.0.0.1", ps)
res("STARTTLS" in m.capabilities, "STARTTLS advertised")
typ, _ = m.starttls(ctx)
res(typ == "OK", "imaplib starttls()")
res("STARTTLS" not in m.capabilities, "no STARTTLS after TLS")
res(m.login("alice@example.org", "secret")[0] == "OK", "LOGIN under STARTTLS")
typ, d = m.select("INBOX")
res(d == [b"1"], "SELECT under TLS")
res(m.fetch("1", "(BODY[HEADER.FIELDS (Subject)])")[1][0][1] == b"Subject: tls\r\n\r\n", "FETCH under TLS")
m.logout()
m = imaplib.IMAP4_SSL("127.0.0.1", pi, ssl_context=ctx)
res(m.login("alice@example.org", "secret")[0] == "OK", "LOGIN over imaps")
res(m.select("INBOX")[0] == "OK", "SELECT over imaps")
m.logout()
# plaintext pipelined after STARTTLS must not run
s = socket.create_connection(("127.0.0.1", ps), 20)
f = s.makefile("rb")
f.readline()
s.sendall(b"t1 STARTTLS\r\nt2 LOGIN alice@example.org secret\r\n"
          b"t2b SELECT INBOX\r\n")
line = f.readline()
res(line.startswith(b"t1 OK"), "STARTTLS OK")
t = ctx.wrap_socket(s, server_hostname="localhost")
t.sendall(b"t3 NOOP\r\n")
tf = t.makefile("rb")
line = tf.readline()
res(line.startswith(b"t3 OK"), "first reply under TLS is to t3 (t2 discarded)")
# pipelined after LOGIN under TLS: reaches the session; the plaintext
# t2b sent before STARTTLS never runs
t.sendall(b"t4 LOGIN alice@example.org secret\r\nt5 SELECT INBOX\r\n"
          b"t6 LOGOUT\r\n")
out = b""
while not out.endswith(b"t6 OK LOGOUT completed\r\n"):
    line = tf.readline()
    if not line:
        break
    out += line
res(b"t4 OK" in out and b"t5 OK [READ-WRITE]" in out and b"t6 OK" in out
    and b"t2b" not in out, "under TLS: commands pipelined after LOGIN run, "
    "pre-STARTTLS plaintext does not")
t.close()
open(control + "/imapdrequiretls", "w").write("1\n")
m = imaplib.IMAP4("127.0.0.1", ps)
res("LOGINDISABLED" in m.capabilities, "imapdrequiretls: LOGINDISABLED")
try:
    typ, d = m.login("alice@example.org", "secret")
    res(typ == "NO", "imapdrequiretls: LOGIN refused")
except imaplib.IMAP4.error as e:
    res("PRIVACYREQUIRED" in str(e), "imapdrequiretls: LOGIN refused")
m.starttls(ctx)
res(m.login("alice@example.org", "secret")[0] == "OK", "imapdrequiretls: LOGIN after STARTTLS")
m.logout()
PY
while read -r word rest; do
	case $word in
	ok) t_ok 0 "$rest" ;;
	notok) t_ok 1 "$rest" ;;
	*) echo "# $word $rest" ;;
	esac
done <"$W/cases.out"
grep -q 'LOGIN after STARTTLS' "$W/cases.out"
t_ok $? "the case script ran to the end"
t_done
