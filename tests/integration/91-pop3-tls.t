#!/bin/sh
# 91-pop3-tls.t: quail-pop3d behind quail-tls, wired as boot/pop3d/run
# (tcpserver -> quail-tls -s -> quail-pop3d) and boot/pop3sd/run
# (quail-tls -i), with a test CA made by openssl and the real quail-auth.
# Clients: python3 poplib stls() and POP3_SSL, openssl s_client
# -starttls pop3, curl pop3s://, fetchmail over pop3s (keep, then flush).
# Checks: plaintext pipelined after STLS is discarded, control/
# pop3requiretls refuses USER/PASS/AUTH before TLS and allows them after,
# uids (quail-tls quailt, pre-auth quail-pop3d quaild, session quailv).
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v openssl >/dev/null || t_skip_all "no openssl"
t_home
H=$T_HOME
C=$H/control
W=$H/t
mkdir -p "$W" && chmod 755 "$W"
[ -x "$T_BIN/quail-tls" ] && [ -x "$T_BIN/quail-auth" ] ||
    t_skip_all "quail-tls or quail-auth not built"
quaild=$(sed -n 2p "$QUAIL_SRC/conf-users")
quailt=$(sed -n 7p "$QUAIL_SRC/conf-users")
quailv=$(sed -n 8p "$QUAIL_SRC/conf-users")

hash=$(openssl passwd -6 secret)
echo "alice@example.org:$hash:0:" >"$C/mailboxes"
"$T_BIN/quail-ctl" compile >"$W/compile.log" 2>&1
t_ok $? "quail-ctl compile of control/mailboxes"

# A test CA and a server certificate for localhost and 127.0.0.1.
t_testcert "$W" "$H/ssl/servercert.pem"
t_ok $? "test CA and server certificate made with openssl"
CA=$W/ca.pem
# unlocked: wait (bounded) until the last session has removed its lock.
unlocked() {
	i=0
	while [ -e "$A/quail-pop3d.lock" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

A=$H/mail/example.org/alice/Maildir
mkdir -p "$A/new" "$A/cur" "$A/tmp"
python3 - "$A" <<'PY'
import os, sys
for i in range(1, 4):
    m = b"Subject: tls %d\nFrom: x@example.org\n\n.dot line\nbody %d\n" % (i, i)
    open("%s/new/17000000%02d.M1P1.h,S=%d" % (sys.argv[1], i, len(m)),
         "wb").write(m)
PY
chown -R "$quailv" "$H/mail"
chmod -R go-rwx "$H/mail"

# As the run scripts do: tcpserver as root, quail-tls drops to quailt and
# runs quail-pop3d as quaild:nofiles.
PROG="$T_BIN/quail-pop3d $T_BIN/quail-auth $T_BIN/quail-pop3d"
PS=$(t_port)
t_bg tcpserver -R -H -l localhost -u 0 -g 0 127.0.0.1 "$PS" \
    "$T_BIN/quail-tls" -s -t 10 -- $PROG 2>"$W/stls.log"
PI=$(t_port)
t_bg tcpserver -R -H -l localhost -u 0 -g 0 127.0.0.1 "$PI" \
    "$T_BIN/quail-tls" -i -t 10 -- $PROG 2>"$W/pop3s.log"
t_wait_port "$PS" && t_wait_port "$PI"
t_ok $? "tcpserver with quail-tls -s and -i listening"

# Python cases: "ok NAME" / "notok NAME" / "# diag" lines.
python3 - "$PS" "$PI" "$CA" "$A" "$(id -u "$quailt")" "$(id -u "$quaild")" \
    "$(id -u "$quailv")" >"$W/cases.out" 2>&1 <<'PY'
import glob, os, poplib, socket, ssl, sys, time
PS, PI, CA, A = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
TUID, DUID, VUID = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
U, PW = "alice@example.org", "secret"
ctx = ssl.create_default_context(cafile=CA)

def res(cond, name):
    print(("ok " if cond else "notok ") + name, flush=True)

def diag(s):
    print("# " + str(s).replace("\n", " | "), flush=True)

BIN = os.path.dirname(os.path.dirname(CA)) + "/bin/"

def uids():
    """uids of the quail programs of this test's home (not of others)"""
    out = {}
    for d in glob.glob("/proc/[0-9]*"):
        try:
            exe = os.readlink(d + "/exe")
            if not exe.startswith(BIN):
                continue
            exe = os.path.basename(exe)
            for l in open(d + "/status"):
                if l.startswith("Uid:"):
                    out.setdefault(exe, set()).add(int(l.split()[1]))
        except OSError:
            pass
    return out

def wait_unlocked():
    for _ in range(100):
        if not os.path.exists(A + "/quail-pop3d.lock"):
            return
        time.sleep(0.1)

def step(name, f):
    try:
        f()
    except Exception as e:
        res(False, name + " (%r)" % e)

# STLS with poplib
def stls():
    p = poplib.POP3("127.0.0.1", PS, timeout=30)
    caps = p.capa()
    res("STLS" in caps, "CAPA lists STLS")
    res(p.stls(ctx).startswith(b"+OK"), "poplib stls()")
    res(p.sock.version() in ("TLSv1.2", "TLSv1.3"), "TLS 1.2+ after STLS")
    res("STLS" not in p.capa(), "no STLS in CAPA under TLS")
    try:
        p._shortcmd("STLS")
        res(False, "second STLS refused")
    except poplib.error_proto:
        res(True, "second STLS refused")
    p.user(U)
    p.pass_(PW)
    res(p.stat()[0] == 3, "STAT over STLS")
    m = p.retr(1)[1]
    res(m[0] == b"Subject: tls 1" and m[3] == b".dot line",
        "RETR over STLS")
    u = uids()
    diag("uids %r" % u)
    res(u.get("quail-tls", set()) == {TUID},
        "uids: quail-tls runs as quailt")
    res(u.get("quail-pop3d", set()) == {DUID, VUID},
        "uids: quail-pop3d pre-auth quaild, session quailv")
    p.quit()
step("STLS", stls)
wait_unlocked()

# pipelined plaintext after STLS is discarded (RFC 2595 section 4)
def inject():
    s = socket.create_connection(("127.0.0.1", PS), 20)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"STLS\r\nCAPA\r\nUSER " + U.encode() + b"\r\n")
    res(f.readline().startswith(b"+OK"), "STLS with pipelined plaintext")
    t = ctx.wrap_socket(s, server_hostname="localhost")
    tf = t.makefile("rb")
    t.sendall(b"NOOP\r\n")
    a = tf.readline()
    res(a == b"+OK\r\n", "plaintext pipelined after STLS discarded")
    t.sendall(b"PASS " + PW.encode() + b"\r\n")
    res(tf.readline().startswith(b"-ERR"), "USER sent before TLS forgotten")
    t.sendall(b"QUIT\r\n")
    tf.readline()
    t.close()
step("inject", inject)

# pop3s with poplib.POP3_SSL
def pop3s():
    p = poplib.POP3_SSL("127.0.0.1", PI, context=ctx, timeout=30)
    res(p.getwelcome().startswith(b"+OK"), "POP3_SSL greeting")
    caps = p.capa()
    res("STLS" not in caps and "USER" in caps, "pop3s CAPA: USER, no STLS")
    p.user(U)
    p.pass_(PW)
    res(len(p.uidl()[1]) == 3, "UIDL over pop3s")
    res(p.top(2, 0)[1][0] == b"Subject: tls 2", "TOP over pop3s")
    p.quit()
step("pop3s", pop3s)
wait_unlocked()

# a client that does not trust the certificate gets nowhere
def untrusted():
    try:
        poplib.POP3_SSL("127.0.0.1", PI, context=ssl.create_default_context(),
                        timeout=20)
        res(False, "unknown CA refused by the client")
    except ssl.SSLError:
        res(True, "unknown CA refused by the client")
step("untrusted", untrusted)

# control/pop3requiretls
open(os.path.join(os.path.dirname(os.path.dirname(CA)), "control",
                  "pop3requiretls"), "w").write("1\n")
def requiretls():
    s = socket.create_connection(("127.0.0.1", PS), 20)
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"CAPA\r\n")
    caps = []
    for _ in range(50):
        l = f.readline()
        if l in (b".\r\n", b""):
            break
        caps.append(l)
    res(b"STLS\r\n" in caps and b"USER\r\n" not in caps,
        "requiretls: CAPA has STLS, no USER")
    s.sendall(b"USER " + U.encode() + b"\r\n")
    res(f.readline().startswith(b"-ERR [AUTH]"), "requiretls: USER refused")
    s.sendall(b"PASS " + PW.encode() + b"\r\n")
    res(f.readline().startswith(b"-ERR [AUTH]"), "requiretls: PASS refused")
    s.sendall(b"AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n")
    res(f.readline().startswith(b"-ERR [AUTH]"), "requiretls: AUTH refused")
    s.close()
    p = poplib.POP3("127.0.0.1", PS, timeout=30)
    p.stls(ctx)
    res("USER" in p.capa(), "requiretls: USER in CAPA after STLS")
    p.user(U)
    p.pass_(PW)
    res(p.stat()[0] == 3, "requiretls: login after STLS")
    p.quit()
    wait_unlocked()
    p = poplib.POP3_SSL("127.0.0.1", PI, context=ctx, timeout=30)
    p.user(U)
    p.pass_(PW)
    res(p.stat()[0] == 3, "requiretls: login over pop3s")
    p.quit()
step("requiretls", requiretls)
PY
while read -r word rest; do
	case $word in
	ok) t_ok 0 "$rest" ;;
	notok) t_ok 1 "$rest" ;;
	*) echo "# $word $rest" ;;
	esac
done <"$W/cases.out"
# pop3requiretls stays on: every client below uses TLS.

# openssl s_client -starttls pop3 (-crlf: POP3 wants CRLF)
printf 'USER alice@example.org\nPASS secret\nSTAT\nQUIT\n' |
    timeout 30 openssl s_client -starttls pop3 -connect "127.0.0.1:$PS" \
	-CAfile "$CA" -verify_return_error -verify_hostname localhost \
	-crlf -quiet >"$W/sclient.out" 2>"$W/sclient.err"
tr -d '\r' <"$W/sclient.out" >"$W/sclient.txt"
grep -q '^+OK 3 ' "$W/sclient.txt"
t_ok $? "openssl s_client -starttls pop3: login and STAT"
unlocked

# curl pop3s:// with the test CA: list, then message 2
if command -v curl >/dev/null; then
	out=$(curl -s --max-time 20 --cacert "$CA" \
	    --resolve "localhost:$PI:127.0.0.1" \
	    -u 'alice@example.org:secret' "pop3s://localhost:$PI/")
	t_is "$(echo "$out" | tr -d '\r' | wc -l | tr -d ' ')" 3 \
	    "curl pop3s:// list"
	curl -s --max-time 20 --cacert "$CA" \
	    --resolve "localhost:$PI:127.0.0.1" \
	    -u 'alice@example.org:secret' "pop3s://localhost:$PI/2" |
	    tr -d '\r' >"$W/curl2"
	grep -q '^Subject: tls 2$' "$W/curl2" && grep -q '^\.dot line$' "$W/curl2"
	t_ok $? "curl pop3s:// retrieve"
	curl -s --max-time 20 -u 'alice@example.org:secret' \
	    "pop3s://127.0.0.1:$PI/" >/dev/null 2>&1
	t_ok $((!$?)) "curl pop3s:// without the CA refuses the server"
	unlocked
fi

# fetchmail over pop3s, the certificate checked against the test CA
# (sslcertfile) and the name localhost: keep, then flush.
if command -v fetchmail >/dev/null; then
	FM=$W/fm
	mkdir -p "$FM"
	cat >"$FM/rc" <<EOF
poll 127.0.0.1 service $PI protocol pop3 timeout 30
  user "alice@example.org" password "secret"
  ssl sslcertck sslcertfile "$CA" sslcommonname localhost
EOF
	chmod 600 "$FM/rc"
	HOME=$FM timeout 60 fetchmail -f "$FM/rc" -i "$FM/ids" --keep \
	    --mda "sh -c 'cat >>$FM/box'" >"$FM/log1" 2>&1
	t_is "$(grep -c '^Subject: tls' "$FM/box" 2>/dev/null)" 3 \
	    "fetchmail pop3s --keep fetched 3"
	t_is "$(ls "$A/new" "$A/cur" | grep -c 1700)" 3 "keep: nothing deleted"
	HOME=$FM timeout 60 fetchmail -f "$FM/rc" -i "$FM/ids2" --all \
	    --nokeep --mda "sh -c 'cat >>$FM/box2'" >"$FM/log2" 2>&1
	t_is "$(grep -c '^Subject: tls' "$FM/box2" 2>/dev/null)" 3 \
	    "fetchmail pop3s flush fetched 3"
	t_is "$(ls "$A/new" "$A/cur" | grep -c 1700)" 0 "flush: all deleted"
	grep -qi 'certificate' "$FM/log1" && sed 's/^/# fetchmail: /' \
	    "$FM/log1" | head -5
fi
grep -q secret "$W/stls.log" "$W/pop3s.log"
t_ok $((!$?)) "no password in the logs"
t_done
