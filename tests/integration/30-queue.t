#!/bin/sh
# 30-queue.t: quail-queue, installed setuid quailq, driven as user nobody:
# byte-exact files in mess/NN/ID, envelope entries, owner and mode, the
# I entry, exit codes for bad envelopes, either write order, kill -9 at
# random points (never a partial file in mess/), a full disk (53, nothing
# partial, works again once space is freed), and the example scanner hook.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
MNT=
trap 'if [ -n "$MNT" ]; then umount "$MNT" 2>/dev/null; fi; t_cleanup' EXIT

cat >"$T_HOME/qq.py" <<'PY'
import glob, os, random, re, signal, subprocess, sys, threading

HOME = os.environ["T_HOME"]
QQ = HOME + "/bin/quail-queue"
Q = HOME + "/queue"
NOBODY = 65534


def check(cond, name, diag=""):
    print(("PASS " if cond else "FAIL ") + name)
    if not cond and diag:
        print("DIAG " + str(diag)[:500])
    sys.stdout.flush()


def fnv(s):
    h = 2166136261
    for c in s:
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h % 64


def parse(path):
    data = open(path, "rb").read()
    entries, i = [], 0
    while True:
        j = data.index(b"\0", i)
        if j == i:
            return entries, data[j + 1:]
        entries.append(data[i:j])
        i = j + 1


def mess():
    return set(glob.glob(Q + "/mess/*/*"))


def tmp():
    return os.listdir(Q + "/tmp")


def writer(fd, data, chunk=65536, pause=0):
    try:
        for i in range(0, len(data), chunk):
            os.write(fd, data[i:i + chunk])
            if pause:
                __import__("time").sleep(pause)
    except OSError:
        pass
    os.close(fd)


def start(argv=None, stderr=None):
    mr, mw = os.pipe()
    er, ew = os.pipe()
    p = subprocess.Popen(argv or [QQ], stdin=mr, stdout=er, stderr=stderr,
                         user=NOBODY, group=NOBODY, extra_groups=[])
    os.close(mr)
    os.close(er)
    return p, mw, ew


def qq(msg, env, env_first=False, argv=None):
    """Runs quail-queue as nobody; writes both inputs from one thread, in
    the order given: quail-queue must read them at the same time."""
    p, mw, ew = start(argv)
    if env_first:
        writer(ew, env)
        writer(mw, msg)
    else:
        writer(mw, msg)
        writer(ew, env)
    return p.wait()


RCVD = re.compile(rb"^Received: \(quail (\d+) invoked by uid 65534\); "
                  rb"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} "
                  rb"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                  rb"\d{4} \d\d:\d\d:\d\d \+0000\n")


def new_file(before, name):
    new = mess() - before
    check(len(new) == 1, name + ": exactly one new file in mess/", new)
    return new.pop() if len(new) == 1 else None


def stored(path, msg, name):
    ents, body = parse(path)
    m = RCVD.match(body)
    check(m is not None, name + ": Received: line", body[:120])
    check(m is not None and body[m.end():] == msg, name + ": message byte-exact")
    return ents


def basic():
    msg = bytes(range(256)) + b"\n" + os.urandom(100000) + b"\nend\n"
    env = b"Fsender@example.org\0Trcpt1@example.com\0Trcpt2@example.net\0\0"
    fifo = os.open(Q + "/lock/trigger", os.O_RDONLY | os.O_NONBLOCK)
    before, t0 = mess(), int(__import__("time").time())
    rc = qq(msg, env)
    check(rc == 0, "basic: exit 0", rc)
    path = new_file(before, "basic")
    if not path:
        return
    qid = os.path.basename(path).encode()
    check(path == "%s/mess/%d/%s" % (Q, fnv(qid), qid.decode()),
          "basic: in mess/NN with NN = qid_split(ID)", path)
    st = os.stat(path)
    check(st.st_uid == int(os.environ["QUAILQ_UID"]), "basic: owned by quailq")
    check(st.st_mode & 0o7777 == 0o644, "basic: mode 0644", oct(st.st_mode))
    ents = stored(path, msg, "basic")
    check(ents[0] == b"I" + qid, "basic: I entry is the file name", ents[0])
    check(ents[1] == b"u65534", "basic: u entry is the caller's uid", ents[1])
    check(ents[2] == b"p%d" % os.getpid(), "basic: p entry is the caller's pid",
          ents[2])
    t = int(ents[3][1:]) if ents[3][:1] == b"t" else -1
    check(t0 <= t <= t0 + 60, "basic: t entry is the arrival time", ents[3])
    check(ents[4:] == [b"Fsender@example.org", b"Trcpt1@example.com",
                       b"Trcpt2@example.net"], "basic: F and T entries", ents)
    check(os.path.exists(Q + "/todo/" + qid.decode()), "basic: todo/ID made")
    check(tmp() == [], "basic: tmp/ empty afterwards", tmp())
    try:
        got = os.read(fifo, 16)
    except BlockingIOError:
        got = b""
    check(got == b"\0", "basic: one byte written to the trigger", got)
    os.close(fifo)


def orders():
    for env_first in (False, True):
        name = "envelope first" if env_first else "message first"
        msg = b"Subject: big\n\n" + os.urandom(3 * 1024 * 1024) + b"\n"
        before = mess()
        rc = qq(msg, b"Fa@b\0Tc@d\0\0", env_first)
        check(rc == 0, name + ", 3 MB: exit 0", rc)
        path = new_file(before, name)
        if path:
            stored(path, msg, name)
    check(tmp() == [], "orders: tmp/ empty (spill file gone)", tmp())


def ids():
    msg = b"Subject: id\n\nx\n"
    before = mess()
    rc = qq(msg, b"Iabc123XYZ\0Fa@b\0Tc@d\0\0")
    path = new_file(before, "valid I")
    check(rc == 0 and path and path.endswith("/abc123XYZ"),
          "valid I id is the file name", path)
    first = open(path, "rb").read() if path else b""
    for bad in (b"../../x", b"a-b", b"", b"x" * 40, b"abc123XYZ"):
        before = mess()
        rc = qq(msg, b"I" + bad + b"\0Fa@b\0Tc@d\0\0")
        p2 = new_file(before, "I %r" % bad[:10])
        ok = rc == 0 and p2 is not None
        nid = os.path.basename(p2 or "").encode()
        check(ok and nid != bad and re.fullmatch(rb"[0-9a-f]{14,}", nid),
              "I %r replaced by a fresh id" % bad[:10], (rc, nid))
        if p2:
            check(parse(p2)[0][0] == b"I" + nid, "I %r: stored I matches" % bad[:10])
    check(path and open(path, "rb").read() == first,
          "an existing message is never replaced")
    # fd 2 closed: the warning about a bad id must not land in the file
    before = mess()
    rc = qq(msg, b"Ia-b\0Fa@b\0Tc@d\0\0",
            argv=["/bin/sh", "-c", 'exec "$0" 2>&-', QQ])
    p3 = new_file(before, "fd 2 closed")
    check(rc == 0 and p3 is not None, "fd 2 closed: exit 0", rc)
    if p3:
        stored(p3, msg, "fd 2 closed")


def codes():
    cases = [
        (b"", 54, "empty envelope"),
        (b"Fa@b\0Tc", 54, "envelope cut short"),
        (b"Xa\0\0", 91, "unknown letter"),
        (b"Tc@d\0\0", 91, "T before F"),
        (b"Fa@b\0Fc@d\0\0", 91, "two F"),
        (b"\0", 91, "no F"),
        (b"Fa@b\0Tc@d\0Ixyz\0\0", 91, "I not first"),
        (b"Fa@b\0u0\0Tc@d\0\0", 91, "caller-supplied u entry"),
        (b"Fa@b\0Tc\nd@e\0\0", 91, "LF in an address"),
        (b"Fa@b\0\0", 91, "no recipients"),
        (b"Fa@b\0T\0Tc@d\0\0", 91, "empty recipient"),
        (b"F" + b"a" * 901 + b"\0Tc@d\0\0", 11, "sender of 901 bytes"),
        (b"Fa@b\0T" + b"x" * 5000, 11, "long recipient refused before NUL"),
        (b"F" + b"a" * 900 + b"\0Tc@d\0\0", 0, "address of 900 bytes"),
    ]
    for env, want, name in cases:
        before = mess()
        rc = qq(b"Subject: x\n\nbody\n", env)
        check(rc == want, "exit %d: %s" % (want, name), rc)
        n = len(mess() - before)
        check(n == (1 if want == 0 else 0), "%s: %d new file(s)" % (name, n))
    check(tmp() == [], "codes: tmp/ empty", tmp())


def kill():
    big = os.urandom(1024 * 1024)
    want, done, killed = {}, 0, 0
    before = mess()
    for i in range(100):
        msg = b"X-Iter: %d\n\n" % i + big
        want[i] = msg
        p, mw, ew = start()
        # a slow writer (64 pieces, 0.5 ms apart): the kill lands while
        # reading, writing, syncing or committing, or after the exit
        t = threading.Thread(target=lambda: (writer(mw, msg, 16384, 0.0005),
                                             writer(ew, b"Fa@b\0Tc@d\0\0")))
        t.start()
        __import__("time").sleep(random.uniform(0, 0.06))
        p.send_signal(signal.SIGKILL)
        t.join()
        rc = p.wait()
        done += rc == 0
        killed += rc != 0
    bad = 0
    for path in mess() - before:
        ents, body = parse(path)
        m = RCVD.match(body)
        rest = body[m.end():] if m else b""
        it = re.match(rb"X-Iter: (\d+)\n", rest)
        if not it or want.get(int(it.group(1))) != rest:
            bad += 1
    check(bad == 0, "kill -9 x100 (%d done, %d killed): no partial file in mess/"
          % (done, killed), bad)
    check(len(mess() - before) >= done, "every exit-0 run left its file")


def term():
    """A caller that gives up with SIGTERM: the unfinished file goes."""
    before, tmp0 = mess(), set(tmp())
    p, mw, ew = start()
    writer(ew, b"Fa@b\0Tc@d\0\0")
    os.write(mw, b"Subject: cut\n\n" + b"x" * 200000)
    __import__("time").sleep(0.2)
    p.send_signal(signal.SIGTERM)
    rc = p.wait()
    os.close(mw)
    check(rc == 52, "SIGTERM mid-message: exit 52", rc)
    check(mess() == before, "SIGTERM: nothing in mess/")
    check(set(tmp()) == tmp0, "SIGTERM: tmp/ file removed", tmp())


def disk(step):
    msg = b"Subject: disk\n\n" + b"x" * 100000 + b"\n"
    if step == "full":
        before = mess()
        rc = qq(b"Subject: huge\n\n" + os.urandom(3 * 1024 * 1024), b"Fa@b\0Tc@d\0\0")
        check(rc == 53, "full disk, 3 MB message: exit 53", rc)
        check(mess() == before, "full disk: nothing in mess/")
        check(tmp() == [], "full disk: tmp/ cleaned", tmp())
        rc = qq(msg, b"Fa@b\0Tc@d\0\0")
        check(rc == 0, "small message still fits: exit 0", rc)
    elif step == "filled":
        before = mess()
        rc = qq(msg, b"Fa@b\0Tc@d\0\0")
        check(rc == 53, "no space at all: exit 53", rc)
        check(mess() == before, "no space: nothing in mess/")
        check(tmp() == [], "no space: tmp/ cleaned", tmp())
    else:
        before = mess()
        rc = qq(msg, b"Fa@b\0Tc@d\0\0")
        check(rc == 0, "space freed: exit 0 again", rc)
        path = new_file(before, "after freeing")
        if path:
            stored(path, msg, "after freeing")


def hook(script):
    msg = b"Subject: scan me\n\nhello\n"
    before = mess()
    rc = qq(msg, b"Fa@b\0Tc@d\0\0", argv=["/bin/sh", script])
    check(rc == 0, "scanner hook: exit 0", rc)
    path = new_file(before, "scanner hook")
    if path:
        ents, body = parse(path)
        check(b"X-Scanned: yes\nSubject: scan me\n\nhello\n" in body,
              "scanner hook: filtered message queued", body[:200])
        check(ents[4:] == [b"Fa@b", b"Tc@d"], "scanner hook: envelope intact")


globals()[sys.argv[1]](*sys.argv[2:])
PY

# py GROUP ARGS: run a group of checks, turning PASS/FAIL lines into TAP
py() {
	python3 "$T_HOME/qq.py" "$@" >"$T_HOME/py.out" 2>&1
	while IFS= read -r line; do
		case $line in
		"PASS "*) t_ok 0 "${line#PASS }" ;;
		"FAIL "*) t_ok 1 "${line#FAIL }" ;;
		*) t_diag "$line" ;;
		esac
	done <"$T_HOME/py.out"
}

QUAILQ_UID=$(id -u quailq)
export QUAILQ_UID
st=$(stat -c '%U %a' "$T_BIN/quail-queue")
t_is "$st" "quailq 4711" "quail-queue installed setuid quailq, 4711"

py basic
py orders
py ids
py codes
py kill
py term

# The example QUAILQUEUE filter from doc/: a "scanner" that adds a header.
cat >"$T_HOME/hook.sh" <<SH
QUAIL_HOME=$T_HOME QUAIL_SCANNER="sed '1i X-Scanned: yes'" \
    exec sh $QUAIL_SRC/doc/scanner-example.sh
SH
chmod 755 "$T_HOME/hook.sh"
py hook "$T_HOME/hook.sh"

# A full disk: the queue on a 2 MB tmpfs, rebuilt with the same owners
# and modes as setup made them.
Q=$T_HOME/queue
(cd "$Q" && find . -mindepth 1 -printf '%y %m %u %g %P\n') >"$T_HOME/qtree"
if mount -t tmpfs -o size=2m,mode=0750 tmpfs "$Q" 2>/dev/null; then
	MNT=$Q
	chown quailq:quail "$Q"
	chmod 0750 "$Q"
	while read -r y m u g p; do
		case $y in
		d) mkdir "$Q/$p" ;;
		p) mkfifo "$Q/$p" ;;
		*) continue ;;
		esac
		chown "$u:$g" "$Q/$p" && chmod "$m" "$Q/$p"
	done <"$T_HOME/qtree"
	py disk full
	dd if=/dev/zero of="$Q/fill" bs=64k 2>/dev/null
	py disk filled
	rm -f "$Q/fill"
	py disk freed
	umount "$Q" && MNT=
	t_ok $? "tmpfs unmounted"
else
	t_diag "cannot mount tmpfs: full-disk checks skipped"
fi

t_done
