#!/usr/bin/env python3
# 61-crash.py HOME PORT RCPT MAILDIR N: the crash run of 61-crash.t.
# Sends N messages, each with a unique token, through SMTP to RCPT while
# a killer thread kill -9's quail-send, quail-lspawn and quail-local of
# this HOME (found by /proc/PID/exe, so nothing else on the machine is
# touched) at random moments.  Then stops killing, pokes quail-send
# (svc -a: every pending recipient due now) until every accepted token
# is in MAILDIR and the queue is empty, or a deadline passes.
# Prints "key value" lines for the shell test to check.
import os
import random
import signal
import smtplib
import subprocess
import sys
import threading
import time

home, port, rcpt, maildir, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    sys.argv[4], int(sys.argv[5])
run = "%08x" % random.getrandbits(32)
accepted = set()
kills = {"quail-send": 0, "quail-lspawn": 0, "quail-local": 0}
stop = threading.Event()
inject_done = threading.Event()
lock = threading.Lock()


def token(i):
    return "tok-%s-%06d" % (run, i)


def msg(i):
    t = token(i)
    return ("From: crash <crash@test.invalid>\r\nSubject: %s\r\n"
            "Message-ID: <%s@crash.test>\r\n\r\ntoken %s\r\n%s\r\n"
            % (t, t, t, "y" * 200)).encode()


def inject():
    """N messages, 10 a session; a message not answered 250 is retried."""
    i, tries = 0, 0
    while i < n and not stop.is_set() and tries < 50:
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=30)
            s.ehlo("crash.test")
            for _ in range(10):
                if i >= n:
                    break
                try:
                    s.sendmail("crash@test.invalid", [rcpt], msg(i))
                    accepted.add(token(i))
                    i += 1
                except smtplib.SMTPResponseException:
                    tries += 1
                    s.rset()
            s.quit()
        except (OSError, smtplib.SMTPException):
            tries += 1
            time.sleep(0.2)
    inject_done.set()


def pids_of(name):
    exe = os.path.join(home, "bin", name)
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if os.readlink("/proc/%s/exe" % p) == exe:
                out.append(int(p))
        except OSError:
            pass
    return out


def kill(name, pid):
    try:
        os.kill(pid, signal.SIGKILL)
        with lock:
            kills[name] += 1
    except OSError:
        pass


def killer_daemons():
    """quail-send or quail-lspawn, every 0.3 .. 2 s."""
    while not stop.wait(random.uniform(0.3, 2.0)):
        name = random.choice(["quail-send", "quail-lspawn"])
        p = pids_of(name)
        if p:
            kill(name, random.choice(p))


def killer_local():
    """quail-local: children of quail-lspawn, caught in the act."""
    while not stop.wait(random.uniform(0.002, 0.02)):
        for sp in pids_of("quail-lspawn"):
            kids = []
            try:
                for t in os.listdir("/proc/%d/task" % sp):
                    with open("/proc/%d/task/%s/children" % (sp, t)) as f:
                        kids += [int(x) for x in f.read().split()]
            except OSError:
                continue
            for k in kids:
                try:
                    exe = os.readlink("/proc/%d/exe" % k)
                except OSError:
                    continue
                if exe == os.path.join(home, "bin", "quail-local") and \
                        random.random() < 0.5:
                    kill("quail-local", k)


def delivered():
    seen, files = {}, 0
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for f in names:
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            files += 1
            for line in data.split(b"\n"):
                if line.startswith(b"token "):
                    t = line[6:].decode(errors="replace")
                    seen[t] = seen.get(t, 0) + 1
                    break
    return seen, files


def queue_files():
    c = 0
    for sub in ("mess", "todo", "info"):
        for _, _, fs in os.walk(os.path.join(home, "queue", sub)):
            c += len(fs)
    return c


def main():
    t0 = time.time()
    ths = [threading.Thread(target=f) for f in
           (inject, killer_daemons, killer_local)]
    for t in ths:
        t.start()
    # keep killing while injecting, and at least 5 s, at most 20 + n/10 s
    kill_until = t0 + 20 + n / 10.0
    while time.time() < kill_until:
        if inject_done.is_set() and time.time() > t0 + 5:
            break
        time.sleep(0.1)
    # and a little longer into the delivery backlog
    time.sleep(min(5.0, n / 100.0))
    stop.set()
    for t in ths:
        t.join(60)
    t_kill = time.time()
    deadline = t_kill + 60 + n / 10.0
    seen, files = delivered()
    while time.time() < deadline:
        seen, files = delivered()
        if accepted <= set(seen) and queue_files() == 0:
            break
        subprocess.run(["svc", "-a", os.path.join(home, "boot", "send")],
                       stderr=subprocess.DEVNULL)
        time.sleep(2)
    seen, files = delivered()
    missing = sorted(accepted - set(seen))
    print("accepted", len(accepted))
    print("wanted", n)
    for k in sorted(kills):
        print("kills-%s" % k, kills[k])
    print("distinct", len(set(seen) & accepted))
    print("files", files)
    print("duplicates", sum(v - 1 for v in seen.values()))
    print("strangers", len(set(seen) - accepted))
    print("queue", queue_files())
    print("missing", " ".join(missing[:10]) if missing else "-")
    print("seconds-killing", int(t_kill - t0))
    print("seconds-settling", int(time.time() - t_kill))
    sys.stdout.flush()


main()
