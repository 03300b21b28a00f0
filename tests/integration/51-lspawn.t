#!/bin/sh
# 51-lspawn.t: quail-lspawn driven by a python harness speaking the spawn
# protocol (netstrings on fd 0/1): unix user delivery under the user's
# uid, users/assign with '+' prefix and extension, refusal of a uid-0
# target, root mail going to the alias user, virtual mailboxes delivered
# as quailv (Maildir created, quota enforced), control/aliases forwards,
# concurrent deliveries, EOF handling and a protocol error.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
U=quailtl2
UH=$(mktemp -d /tmp/quail-tl2.XXXXXX)
cleanup_user() {
	userdel "$U" 2>/dev/null
	rm -rf "$UH"
	t_cleanup
}
trap cleanup_user EXIT
userdel "$U" 2>/dev/null
useradd -M -d "$UH" -s /bin/sh "$U" || t_skip_all "useradd failed"
UID_=$(id -u "$U")
GID_=$(id -g "$U")
chown "$U" "$UH"
chmod 755 "$UH"
for d in Maildir Maildir/tmp Maildir/new Maildir/cur; do
	mkdir "$UH/$d"
done
chown -R "$U" "$UH/Maildir"
printf '|echo "$EXT" >%s/ext-out\n' "$UH" >"$UH/.qmail-foo"
printf '|sleep 1; exit 0\n' >"$UH/.qmail-slow"
printf '|sleep 60; exit 0\n' >"$UH/.qmail-hang"
chown "$U" "$UH/.qmail-foo" "$UH/.qmail-slow" "$UH/.qmail-hang"
ALIAS=$(sed -n 1p "$QUAIL_SRC/conf-users")
QV=$(sed -n 8p "$QUAIL_SRC/conf-users")
QQ=$(sed -n 4p "$QUAIL_SRC/conf-users")
echo ./Maildir/ >"$T_HOME/alias/.qmail-root"
mkdir -p "$T_HOME/alias/Maildir/tmp" "$T_HOME/alias/Maildir/new" "$T_HOME/alias/Maildir/cur"
chown -R "$ALIAS" "$T_HOME/alias/Maildir" "$T_HOME/alias/.qmail-root"

# CDBs as cdb.md describes them (written with tinycdb's cdb -c)
mkcdb() { # file, then key|value pairs on stdin (value: \0 for NUL)
	python3 -c '
import sys
out = sys.stdout.buffer
for line in sys.stdin.read().splitlines():
    k, v = line.split("|", 1)
    k = k.encode(); v = v.replace("\\0", "\0").encode()
    out.write(b"+%d,%d:%s->%s\n" % (len(k), len(v), k, v))
out.write(b"\n")' | cdb -c "$1"
}
mkcdb "$T_HOME/control/mailboxes.cdb" <<C
vu@virt.test|!\\0000\\0\\0$T_HOME/mail/virt.test/vu/Maildir/
vq@virt.test|!\\0050\\0\\0$T_HOME/mail/virt.test/vq/Maildir/
C
mkcdb "$T_HOME/control/aliases.cdb" <<C
al@virt.test|$U@example.com\\0other@example.net
@virt.test|catch@example.net
C
mkcdb "$T_HOME/users/assign.cdb" <<C
=rootish|root\\00\\00\\0/root\\0\\0
+tl2x-|$U\\0$UID_\\0$GID_\\0$UH\\0-\\0
C

# the queued message, as quail-queue writes it (envelope, then message)
ID=0000abcd00001f
python3 - "$T_HOME" "$ID" <<'PY'
import sys
home, qid = sys.argv[1:3]
env = b"I" + qid.encode() + b"\0Fs@x.org\0Tsomeone@example.com\0\0"
msg = b"Received: test\nSubject: lspawn\n\nhello\n"
open(f"{home}/queue/mess/5/{qid}", "wb").write(env + msg)
open(f"{home}/offset", "w").write(str(len(env)))
PY
chown "$QQ" "$T_HOME/queue/mess/5/$ID"
chmod 640 "$T_HOME/queue/mess/5/$ID"
OFF=$(cat "$T_HOME/offset")

cat >"$T_HOME/harness.py" <<'PY'
import os, select, subprocess, sys, time
home, qid, off = sys.argv[1], sys.argv[2], sys.argv[3]
reqs = [l.split() for l in sys.stdin.read().splitlines() if l.strip()]
p = subprocess.Popen([home + "/bin/quail-lspawn"], stdin=subprocess.PIPE,
    stdout=subprocess.PIPE, cwd=home, env={"PATH": "/usr/bin:/bin"})
def ns(b):
    return b"%d:%s," % (len(b), b)
for slot, rcpt, local in reqs:
    if local == "-":
        local = ""
    path = "mess/5/" + qid
    if rcpt.startswith("BADPATH"):
        path, rcpt = "../../etc/passwd", rcpt[7:]
    f = [slot, qid, path, off, "s@x.org", rcpt, local]
    p.stdin.write(ns(b"".join(x.encode() + b"\0" for x in f)))
p.stdin.flush()
if os.environ.get("TERM_AFTER"):
    time.sleep(0.3)
    p.send_signal(15)
else:
    p.stdin.close()
buf, out, deadline = b"", {}, time.time() + 60
fd = p.stdout.fileno()
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 1)
    if not r:
        continue
    d = os.read(fd, 65536)
    if not d:
        break
    buf += d
    while b":" in buf:
        n, rest = buf.split(b":", 1)
        n = int(n)
        if len(rest) < n + 1:
            break
        pay, buf = rest[:n], rest[n + 1:]
        slot, st = pay.split(b"\0", 1)
        out[slot.decode()] = st.decode(errors="replace")
try:
    rc = p.wait(timeout=30)
except subprocess.TimeoutExpired:
    p.kill(); rc = "hung"
for s in sorted(out, key=int):
    print(s, out[s])
print("exit", rc)
PY
python3 "$T_HOME/harness.py" "$T_HOME" "$ID" "$OFF" >"$T_HOME/t-replies" 2>"$T_HOME/t-log" <<R
0 $U@example.com $U
1 rootish@example.com rootish
2 root@example.com root
3 vu@virt.test vu
4 vq@virt.test vq
5 al@virt.test al
6 tl2x-foo@example.com tl2x-foo
7 nobody@virt.test nobody
10 $U-slow@example.com $U-slow
11 $U-slow@example.com $U-slow
12 $U-slow@example.com $U-slow
13 $U-slow@example.com $U-slow
14 $U-slow@example.com $U-slow
15 $U-nosuch@example.com $U-nosuch
R
t_diag "$(cat "$T_HOME/t-replies")"
st() { sed -n "s/^$1 \(.\).*/\1/p" "$T_HOME/t-replies"; }
text() { sed -n "s/^$1 .//p" "$T_HOME/t-replies"; }
t_is "$(st 0)" K "unix user delivered"
f=$(ls "$UH/Maildir/new" | head -n 1)
[ -n "$f" ] || f=missing
t_is "$(stat -c %u "$UH/Maildir/new/$f" 2>/dev/null)" "$UID_" "delivered file owned by the user's uid"
grep -q "^Delivered-To: $U@example.com$" "$UH/Maildir/new/$f" && grep -q '^hello$' "$UH/Maildir/new/$f"
t_ok $? "delivered content (from the message offset on)"
t_is "$(st 1)" D "users/assign entry with uid 0: refused permanently"
text 1 | grep -q "root"
t_ok $? "refusal says why ($(text 1))"
t_is "$(st 2)" K "root@ goes to the alias user"
f=$(ls "$T_HOME/alias/Maildir/new" | head -n 1)
[ -n "$f" ] || f=missing
t_is "$(stat -c %U "$T_HOME/alias/Maildir/new/$f" 2>/dev/null)" "$ALIAS" "root's mail delivered as the alias user"
t_is "$(st 3)" K "virtual mailbox delivered"
f=$(ls "$T_HOME/mail/virt.test/vu/Maildir/new" 2>/dev/null | head -n 1)
[ -n "$f" ] || f=missing
t_is "$(stat -c %U "$T_HOME/mail/virt.test/vu/Maildir/new/$f" 2>/dev/null)" "$QV" "virtual delivery owned by quailv, Maildir created"
t_is "$(st 4)" D "virtual mailbox over quota: permanent"
text 4 | grep -q 'over the allowed quota'
t_ok $? "quota text"
t_is "$(st 5)" K "control/aliases entry forwarded"
grep -l "Tother@example.net" $(find "$T_HOME/queue/mess" -type f) >/dev/null 2>&1
t_ok $? "alias forward re-queued with its targets"
t_is "$(st 6):$(cat "$UH/ext-out" 2>/dev/null)" "K:foo" "users/assign +prefix: rest of local is the extension"
t_is "$(st 7)" K "@domain catch-all alias"
n=0
for s in 10 11 12 13 14; do [ "$(st $s)" = K ] && n=$((n + 1)); done
t_is "$n" 5 "five concurrent deliveries all answered K"
t_is "$(st 15)" D "unknown extension: permanent"
t_is "$(sed -n 's/^exit //p' "$T_HOME/t-replies")" 0 "exit 0 after EOF with all replies written"
grep -q "quail-lspawn: info: $ID slot 0 $U@example.com: K" "$T_HOME/t-log"
t_ok $? "log line per delivery"

printf '0 BADPATHx@example.com x\n' |
    python3 "$T_HOME/harness.py" "$T_HOME" "$ID" "$OFF" >"$T_HOME/t-replies" 2>"$T_HOME/t-log"
t_is "$(sed -n 's/^exit //p' "$T_HOME/t-replies")" 111 "bad request path: protocol error, exit 111"

# SIGTERM: no new work, in-flight deliveries still answered, exit 0
printf '3 %s-slow@example.com %s-slow\n' "$U" "$U" | TERM_AFTER=1 \
    python3 "$T_HOME/harness.py" "$T_HOME" "$ID" "$OFF" >"$T_HOME/t-replies" 2>"$T_HOME/t-log"
t_is "$(sed -n 1p "$T_HOME/t-replies" | cut -c1-3)|$(sed -n 's/^exit //p' "$T_HOME/t-replies")" \
    "3 K|0" "SIGTERM: in-flight delivery answered, exit 0"

# a hung delivery is killed after control/timeoutlocal and answered Z
echo 2 >"$T_HOME/control/timeoutlocal"
printf '9 %s-hang@example.com %s-hang\n' "$U" "$U" |
    python3 "$T_HOME/harness.py" "$T_HOME" "$ID" "$OFF" >"$T_HOME/t-replies" 2>"$T_HOME/t-log"
grep -q '^9 Z.*timed out' "$T_HOME/t-replies"
t_ok $? "timeout: killed and answered Z ($(sed -n 1p "$T_HOME/t-replies"))"
i=0
while pgrep -u "$U" -x sleep >/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
t_ok $((i == 50)) "the hung program's process group is gone"
rm -f "$T_HOME/control/timeoutlocal"
t_done
