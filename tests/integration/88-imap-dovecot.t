#!/bin/sh
# 88-imap-dovecot.t: one Maildir, two servers.  Messages APPENDed and
# flagged through Debian's Dovecot (its imap binary, PREAUTH on a pipe)
# are served intact by quail-imapd (flags, keywords, bodies, folders),
# and messages written through quail-imapd are read intact by Dovecot.
# Skipped without /usr/lib/dovecot/imap (apt-get install dovecot-imapd).
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
DOVE=/usr/lib/dovecot/imap
[ -x "$DOVE" ] || t_skip_all "no $DOVE (dovecot-imapd)"
command -v setpriv >/dev/null || t_skip_all "no setpriv"
t_need_root
W=$(mktemp -d /tmp/quail-t88.XXXXXX)
T_HOME=$W # removed at exit by lib.sh
chmod 755 "$W"
make -s -C "$QUAIL_SRC" BUILD="$QUAIL_BUILD" "$QUAIL_BUILD/imapd/quail-imapd" \
    >/dev/null 2>&1
Q=$QUAIL_SRC/$QUAIL_BUILD/imapd/quail-imapd
[ -x "$Q" ] || t_skip_all "quail-imapd not built"
mkdir -p "$W/home/Maildir" "$W/run" "$W/state"
cat >"$W/dovecot.conf" <<EOC
mail_location = maildir:$W/home/Maildir
base_dir = $W/run
state_dir = $W/state
log_path = /dev/null
ssl = no
protocols = imap
EOC
chown -R nobody:nogroup "$W"
AS="setpriv --reuid=nobody --regid=nogroup --clear-groups"

python3 - "$W" "$DOVE" "$Q" >"$W/out" 2>&1 <<'PY'
import os, re, select, subprocess, sys
W, DOVE, Q = sys.argv[1], sys.argv[2], sys.argv[3]
AS = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
MD = W + "/home/Maildir"
def res(c, n, info=""):
    print(("ok " if c else "notok ") + n)
    if not c:
        print("# %r" % (info,))

class S:
    def __init__(self, argv, env):
        self.p = subprocess.Popen(AS + ["env"] + env + argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self.b = b""
        self.n = 0
        self.line()
    def fill(self):
        r, _, _ = select.select([self.p.stdout], [], [], 30)
        d = os.read(self.p.stdout.fileno(), 65536) if r else b""
        if not d:
            raise SystemExit("server gone")
        self.b += d
    def line(self):
        while b"\n" not in self.b:
            self.fill()
        i = self.b.index(b"\n") + 1
        l, self.b = self.b[:i], self.b[i:]
        return l
    def cmd(self, text, lit=None):
        self.n += 1
        tag = b"t%d" % self.n
        if lit is not None:
            self.p.stdin.write(tag + b" " + text + b" {%d+}\r\n" % len(lit) + lit + b"\r\n")
        else:
            self.p.stdin.write(tag + b" " + text + b"\r\n")
        out = b""
        while True:
            l = self.line()
            m = re.search(rb"\{(\d+)\}\r\n$", l)
            if m:
                k = int(m.group(1))
                while len(self.b) < k:
                    self.fill()
                l += self.b[:k]
                self.b = self.b[k:]
                out += l
                continue
            out += l
            if l.startswith(tag + b" "):
                return out
    def close(self):
        self.cmd(b"LOGOUT")
        self.p.wait(timeout=30)

def dove():
    return S([DOVE, "-c", W + "/dovecot.conf"], ["USER=nobody", "HOME=" + W + "/home"])
def quail():
    return S([Q, "-s", "2", "T0"], ["MAILDIR=" + MD, "HOME=" + W + "/home"])

m1 = b"From: a@example.org\r\nSubject: from dovecot\r\n\r\nline 1\r\nline 2\r\n"
d = dove()
res(b" OK" in d.cmd(b"APPEND INBOX (\\Seen \\Flagged $Label1)", m1), "Dovecot APPEND")
res(b" OK" in d.cmd(b"CREATE Archive"), "Dovecot CREATE Archive")
res(b" OK" in d.cmd(b"APPEND Archive ()", m1.replace(b"dovecot", b"archive")), "Dovecot APPEND to Archive")
d.close()

q = quail()
out = q.cmd(b"SELECT INBOX")
res(b"* 1 EXISTS" in out, "quail sees Dovecot's message", out)
out = q.cmd(b"FETCH 1 (FLAGS BODY.PEEK[] RFC822.SIZE)")
res(m1 in out, "body intact", out)
res(b"\\Seen" in out and b"\\Flagged" in out and b"$Label1" in out, "flags and Dovecot keyword intact", out)
res(b"RFC822.SIZE %d" % len(m1) in out, "size as Dovecot counts it", out)
out = q.cmd(b'LIST "" *')
res(b'"Archive"' in out, "Dovecot's folder listed", out)
out = q.cmd(b"STATUS Archive (MESSAGES)")
res(b"MESSAGES 1" in out, "Dovecot's folder served", out)
m2 = b"From: b@example.org\r\nSubject: from quail\r\n\r\nbody\r\n"
res(b" OK" in q.cmd(b"APPEND INBOX (\\Answered $Label1)", m2), "quail APPEND")
res(b" OK" in q.cmd(b"STORE 1 -FLAGS (\\Flagged)"), "quail STORE")
q.close()

d = dove()
out = d.cmd(b"SELECT INBOX")
res(b"* 2 EXISTS" in out, "Dovecot sees quail's message", out)
out = d.cmd(b"FETCH 2 (FLAGS BODY.PEEK[])")
res(m2 in out, "Dovecot reads quail's body intact", out)
res(b"\\Answered" in out and b"$Label1" in out, "Dovecot reads quail's flags and keyword", out)
out = d.cmd(b"FETCH 1 (FLAGS)")
res(b"\\Flagged" not in out and b"\\Seen" in out, "Dovecot sees quail's flag change", out)
d.close()
print("# done")
PY
while read -r word rest; do
	case $word in
	ok) t_ok 0 "$rest" ;;
	notok) t_ok 1 "$rest" ;;
	*) echo "# $word $rest" ;;
	esac
done <"$W/out"
grep -q '^# done' "$W/out"
t_ok $? "the case script ran to the end"
t_done
