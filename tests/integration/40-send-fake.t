#!/bin/sh
# 40-send-fake.t: quail-send against a fake quail-lspawn (python, answers
# K/Z/D as told) and the real quail-clean, in a hand-made queue: local
# routing, per-recipient state in info/, a DSN for a permanent failure,
# a double bounce for <>, retry on ALRM, cleanup, kill -9 and restart
# without repeating a finished recipient, and new mail ahead of retries.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_need_root
T_HOME=$(mktemp -d /tmp/quail-send.XXXXXX)
chmod 755 "$T_HOME"
B=$QUAIL_BUILD
case $B in /*) ;; *) B=$QUAIL_SRC/$B ;; esac
make -s -C "$QUAIL_SRC" BUILD="$B" QHOME="$T_HOME" "$B/send/quail-send" \
    "$B/send/quail-clean" >"$T_HOME.make.log" 2>&1 ||
    { echo "Bail out! build failed"; sed 's/^/# /' "$T_HOME.make.log"; exit 1; }
rm -f "$T_HOME.make.log"
exec timeout 120 python3 - "$T_HOME" "$B" <<'PY'
import os, sys, time, signal, select, subprocess, pwd, glob, shutil

home, build = sys.argv[1], sys.argv[2]
q = home + "/queue"
n = 0
fails = 0
def ok(c, name):
    global n, fails
    n += 1
    if not c:
        fails += 1
    print("%sok %d - %s" % ("" if c else "not ", n, name), flush=True)

nobody = pwd.getpwnam("nobody")
os.makedirs(home + "/bin"); os.makedirs(home + "/control")
os.makedirs(home + "/bounces")
for d in ["tmp", "todo", "lock", "hold"] + ["mess/%d" % i for i in range(64)] \
        + ["info/%d" % i for i in range(64)]:
    os.makedirs(q + "/" + d)
os.mkfifo(q + "/lock/trigger")
open(home + "/control/me", "w").write("mx.test\n")
open(home + "/control/locals", "w").write("local.test\n")
open(home + "/control/virtualdomains", "w").write("virt.test:vp\n")
open(home + "/control/concurrencylocal", "w").write("1\n")
shutil.copy(build + "/send/quail-send", home + "/bin/")
shutil.copy(build + "/send/quail-clean", home + "/bin/")
fq = home + "/bin/quail-queue"
open(fq, "w").write("#!/bin/sh\nd=%s/bounces/$$\ncat >$d.msg\ncat <&1 >$d.env\n"
                    % home)
os.chmod(fq, 0o755)
for dp, dn, fn in os.walk(home):
    for x in dn + fn:
        os.chown(os.path.join(dp, x), nobody.pw_uid, nobody.pw_gid)

def split(i):
    h = 2166136261
    for c in i.encode():
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h % 64

seq = [0]
def inject(sender, rcpts, subject="hello", todo=True, info=None):
    seq[0] += 1
    i = "%08x%05xa%d" % (int(time.time()), seq[0], 1)
    env = b"I" + i.encode() + b"\0F" + sender.encode() + b"\0t%d\0" % int(time.time())
    for r in rcpts:
        env += b"T" + r.encode() + b"\0"
    env += b"\0"
    body = ("Received: test\nSubject: %s\nFrom: %s\n\nbody\n" % (subject, sender)).encode()
    p = "%s/mess/%d/%s" % (q, split(i), i)
    open(p, "wb").write(env + body)
    if info is not None:
        open("%s/info/%d/%s" % (q, split(i), i), "w").write(info)
        os.chown("%s/info/%d/%s" % (q, split(i), i), nobody.pw_uid, nobody.pw_gid)
    if todo:
        open(q + "/todo/" + i, "w").close()
        try:
            fd = os.open(q + "/lock/trigger", os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, b"x"); os.close(fd)
        except OSError:
            pass  # no reader yet: quail-send looks at todo/ when it starts
    return i, p, len(env)

def demote():
    os.setgid(nobody.pw_gid); os.setuid(nobody.pw_uid)

class Send:
    def __init__(self):
        self.lreq = os.pipe(); self.lrep = os.pipe()
        self.creq = os.pipe(); self.crep = os.pipe()
        self.clean = subprocess.Popen([home + "/bin/quail-clean"],
            stdin=self.creq[0], stdout=self.crep[1], preexec_fn=demote)
        log = open(home + "/send.log", "ab")
        def fds():
            demote()
            for a, b in [(self.lreq[1], 21), (self.lrep[0], 23),
                         (self.creq[1], 26), (self.crep[0], 27)]:
                os.dup2(a, b)
            for a, b in [(21, 1), (23, 3), (26, 6), (27, 7)]:
                os.dup2(a, b)
        self.p = subprocess.Popen([home + "/bin/quail-send"], stdin=subprocess.DEVNULL,
            stderr=log, preexec_fn=fds, close_fds=False)
        for f in (self.lreq[1], self.lrep[0], self.creq[0], self.creq[1],
                  self.crep[0], self.crep[1]):
            os.close(f)
        self.r = self.lreq[0]; self.w = self.lrep[1]
        self.buf = b""
    def request(self, timeout=10):
        end = time.time() + timeout
        while True:
            if b":" in self.buf:
                ln, rest = self.buf.split(b":", 1)
                L = int(ln)
                if len(rest) > L:
                    pl = rest[:L]; self.buf = rest[L + 1:]
                    return pl.split(b"\0")
            t = end - time.time()
            if t <= 0 or not select.select([self.r], [], [], t)[0]:
                return None
            d = os.read(self.r, 65536)
            if not d:
                return None
            self.buf += d
    def answer(self, slot, st, text):
        pl = slot + b"\0" + st + text.encode()
        os.write(self.w, b"%d:%s," % (len(pl), pl))
    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        os.close(self.w); os.close(self.r)  # as a spawn does at EOF
        self.p.wait(30)
        self.clean.wait(30)

def wait_for(cond, t=10):
    end = time.time() + t
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False

def info(i):
    try:
        return open("%s/info/%d/%s" % (q, split(i), i)).read()
    except OSError:
        return ""

# 1. routing, K and D, DSN
s = Send()
i1, p1, off1 = inject("alice@far.test", ["u1@local.test", "u2@LOCAL.test", "joe@virt.test"])
got = {}
for k in range(3):
    rq = s.request()
    ok(rq is not None and rq[1].decode() == i1, "request %d names the queue id" % k)
    if rq is None:
        break
    got[rq[5].decode()] = rq
    ok(rq[2].decode() == "mess/%d/%s" % (split(i1), i1) and int(rq[3]) == off1
       and rq[4] == b"alice@far.test", "path, offset and sender")
    st = {b"u1@local.test": b"K", b"u2@LOCAL.test": b"D"}.get(rq[5], b"K")
    s.answer(rq[0], st, "5.1.1 no such user" if st == b"D" else "delivered")
ok(got.get("joe@virt.test", [b""] * 7)[6] == b"vp-joe", "virtualdomains prefix gives L=vp-joe")
ok(got.get("u1@local.test", [b""] * 7)[6] == b"u1", "locals gives L=u1")
ok(wait_for(lambda: not os.path.exists(p1)), "finished message removed from mess/")
ok(wait_for(lambda: info(i1) == ""), "and its info file")
ok(wait_for(lambda: len(glob.glob(home + "/bounces/*.env")) == 1), "one bounce injected")
b = open(glob.glob(home + "/bounces/*.msg")[0]).read() if glob.glob(home + "/bounces/*.msg") else ""
e = open(glob.glob(home + "/bounces/*.env")[0], "rb").read() if glob.glob(home + "/bounces/*.env") else b""
ok(e == b"F\0Talice@far.test\0\0", "bounce envelope: <> to the sender")
ok("report-type=delivery-status" in b and "Final-Recipient: rfc822; u2@LOCAL.test" in b
   and "Status: 5.1.1" in b and "Subject: hello" in b and "u1@local.test" not in b,
   "DSN: multipart/report, failed recipient only, status, original headers")

# 2. temporary failure, info state, ALRM retry
i2, p2, _ = inject("bob@far.test", ["t@local.test"])
rq = s.request()
s.answer(rq[0], b"Z", "4.2.2 mailbox full")
ok(wait_for(lambda: " pending 1 " in info(i2)), "deferral recorded as pending, 1 attempt")
ok(s.request(1) is None, "no immediate retry")
s.p.send_signal(signal.SIGALRM)
rq = s.request()
ok(rq is not None and rq[5] == b"t@local.test", "ALRM retries now")
s.answer(rq[0], b"K", "ok")
ok(wait_for(lambda: not os.path.exists(p2)), "delivered on retry and removed")

# 3. kill -9 with one recipient done: not repeated after restart
i3, p3, _ = inject("carol@far.test", ["a@local.test", "b@local.test"])
rq = s.request()
first = rq[5]
s.answer(rq[0], b"K", "ok")
rq = s.request()
ok(wait_for(lambda: " done " in info(i3)), "first recipient recorded done")
s.stop(signal.SIGKILL)
s = Send()
rq = s.request()
ok(rq is not None and rq[5] != first, "after kill -9, only the unfinished recipient again")
s.answer(rq[0], b"K", "ok")
ok(s.request(1) is None, "and nothing else")
ok(wait_for(lambda: not os.path.exists(p3)), "message finished after restart")

# 4. <> message failing: double bounce to postmaster@me, sender #@[]
i4, p4, _ = inject("", ["x@local.test"])
rq = s.request()
s.answer(rq[0], b"D", "5.1.1 gone")
ok(wait_for(lambda: any(open(f, "rb").read() == b"F#@[]\0Tpostmaster@mx.test\0\0"
    for f in glob.glob(home + "/bounces/*.env"))), "double bounce to postmaster, sender #@[]")

# 5. fairness: 100 due retries, then new mail goes first
ids = []
for k in range(100):
    ids.append(inject("r@far.test", ["slow%d@local.test" % k], todo=False,
        info="quail-info 1 1\n0 pending 1 1 1 4.0.0 earlier\n")[0])
s.stop(); s = Send()
rq = s.request()
ok(rq is not None and rq[5].startswith(b"slow"), "a retry is running")
i5, p5, _ = inject("new@far.test", ["fresh@local.test"])
time.sleep(0.3)
s.answer(rq[0], b"Z", "4.0.0 still down")
rq = s.request()
ok(rq is not None and rq[5] == b"fresh@local.test", "new mail goes ahead of 99 due retries")
s.answer(rq[0], b"K", "ok")
s.stop()

# 6. review2: "quail-ctl queue delete" while quail-send is down (or before
# it has loaded the message) must delete it, not leave it held forever
i6, p6, _ = inject("del@far.test", ["gone@local.test"], todo=False)
open(q + "/hold/" + i6, "w").write("delete\n")
nb = len(glob.glob(home + "/bounces/*.env"))
s = Send()
seen6, end = False, time.time() + 4
while time.time() < end:
    rq = s.request(0.5)
    if rq is None:
        continue
    seen6 |= rq[5] == b"gone@local.test"
    s.answer(rq[0], b"K", "ok")
ok(not seen6, "delete requested while down: no delivery attempt")
ok(wait_for(lambda: not os.path.exists(p6)), "delete requested while down: message removed")
ok(len(glob.glob(home + "/bounces/*.env")) == nb, "and no bounce for it")

# 7. review2: the info file is append-only; with thousands of recipients
# deferred for days it grew past what a load reads (64 MiB), and the
# message could then never be loaded again.  It is compacted instead.
big = "quail-info 1 1\n" + "".join("0 pending %d 1 1 4.0.0 %s\n" % (k + 1, "x" * 900)
                                   for k in range(5000))
i7, p7, _ = inject("big@far.test", ["deferred@local.test", "other@local.test"],
                   todo=False, info=big + "1 done 1 0 1 ok\n")
ipath = "%s/info/%d/%s" % (q, split(i7), i7)
s.stop(); s = Send()
seen7, end = [], time.time() + 4
while time.time() < end:
    rq = s.request(0.5)
    if rq is None:
        continue
    seen7.append(rq[5])
    s.answer(rq[0], b"Z" if rq[5] == b"deferred@local.test" else b"K", "4.0.0 later")
ok(seen7.count(b"other@local.test") == 0 and b"deferred@local.test" in seen7,
   "big info file: only the pending recipient tried")
ok(wait_for(lambda: os.path.getsize(ipath) < 100000), "big info file compacted (%d bytes)" % os.path.getsize(ipath))
t = info(i7)
ok(t.startswith("quail-info 1 ") and "\n1 done " in t and " pending 5001 " in t,
   "compacted file keeps every recipient's state")
s.stop(); s = Send()
ok(s.request(1) is None, "after a restart nothing is repeated")
s.stop()
log = open(home + "/send.log", "rb").read().decode("latin-1")
ok(("%s delivery" % i1) in log and "success: delivered" in log, "log lines name the queue id")
print("1..%d" % n)
if fails or os.environ.get("T_KEEP"):
    print("# home kept: " + home)
    print("\n".join("# " + l for l in log.splitlines()[-30:]))
else:
    shutil.rmtree(home)
sys.exit(1 if fails else 0)
PY
