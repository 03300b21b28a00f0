#!/usr/bin/env python3
"""bench/imap/client.py: IMAP figures for one server process.

    client.py NAME MAILDIR -- COMMAND...

COMMAND is an IMAP server speaking on stdin/stdout, already logged in
(quail-imapd -s, or Dovecot's imap binary in PREAUTH mode), started
fresh for each "open".  Prints one "NAME FIGURE VALUE UNIT" line per
figure.  Every read has a deadline (select on the pipe)."""
import os
import re
import select
import subprocess
import sys
import time

name, maildir = sys.argv[1], sys.argv[2]
cmd = sys.argv[sys.argv.index("--") + 1:]
DEADLINE = 600


class Server:
    def __init__(self):
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, bufsize=0)
        self.buf = b""
        self.n = 0
        self.line()  # greeting or the LOGIN's OK

    def fill(self):
        r, _, _ = select.select([self.p.stdout], [], [], DEADLINE)
        if not r:
            raise SystemExit("%s: timeout" % name)
        d = os.read(self.p.stdout.fileno(), 1 << 20)
        if not d:
            raise SystemExit("%s: server closed" % name)
        self.buf += d

    def line(self):
        while b"\n" not in self.buf:
            self.fill()
        i = self.buf.index(b"\n") + 1
        l, self.buf = self.buf[:i], self.buf[i:]
        return l

    def take(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def cmd(self, text):
        self.n += 1
        tag = b"b%d" % self.n
        self.p.stdin.write(tag + b" " + text + b"\r\n")
        nbytes = 0
        while True:
            l = self.line()
            m = re.search(rb"\{(\d+)\}\r\n$", l)
            if m:
                nbytes += int(m.group(1))
                self.take(int(m.group(1)))
                continue
            if l.startswith(tag + b" "):
                if not l.startswith(tag + b" OK"):
                    raise SystemExit("%s: %r -> %r" % (name, text, l))
                return nbytes

    def rss_kb(self):
        for l in open("/proc/%d/status" % self.p.pid):
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
        return 0

    def close(self):
        try:
            self.cmd(b"LOGOUT")
        except SystemExit:
            pass
        self.p.wait(timeout=30)


def timed(fn):
    t = time.monotonic()
    r = fn()
    return time.monotonic() - t, r


def out(fig, val, unit):
    print("%s %s %.3f %s" % (name, fig, val, unit), flush=True)


for run in ("first", "second"):
    s = Server()
    t, _ = timed(lambda: (s.cmd(b"SELECT INBOX"), s.cmd(b"FETCH 1:* (UID FLAGS RFC822.SIZE)")))
    out("open+fetch_uid_flags_size_" + run, t, "s")
    if run == "second":
        out("rss_after_select", s.rss_kb(), "KiB")
        t, _ = timed(lambda: s.cmd(b"FETCH 1:* (BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)])"))
        out("fetch_header_fields_all", t, "s")
        t, _ = timed(lambda: s.cmd(b"FETCH 1:* (BODYSTRUCTURE)"))
        out("fetch_bodystructure_all_first", t, "s")
        t, _ = timed(lambda: s.cmd(b"FETCH 1:* (BODYSTRUCTURE)"))
        out("fetch_bodystructure_all_second", t, "s")
        t, n = timed(lambda: s.cmd(b"FETCH 1:* (BODY.PEEK[])"))
        out("fetch_body_all", n / t / 1e6, "MB/s")
        t, _ = timed(lambda: s.cmd(b'SEARCH HEADER Subject "message 77"'))
        out("search_header", t, "s")
        t, _ = timed(lambda: s.cmd(b"STORE 1:* +FLAGS.SILENT (\\Flagged)"))
        out("store_flags_all", t, "s")
    s.close()
