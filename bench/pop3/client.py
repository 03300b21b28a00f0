# bench/pop3/client.py: the POP3 client of bench/pop3/run.
#
#   client.py list PORT USER PASS N      connect, USER/PASS, STAT, UIDL,
#                                        QUIT; checks N messages and N
#                                        UIDL lines; prints "SECONDS"
#   client.py retr PORT USER PASS N      connect, log in, RETR 1..N
#                                        pipelined, QUIT; prints
#                                        "SECONDS BYTES" (BYTES: all
#                                        octets of the N responses)
# Raw sockets, no poplib: the client must not be the bottleneck.  Every
# socket has a timeout; exits 1 (with a reason on stderr) on any
# protocol surprise, so a wrong answer is never timed as a fast one.
import socket
import sys
import threading
import time

TIMEOUT = 300


def fail(why):
    sys.stderr.write("client: %s\n" % why)
    sys.exit(1)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), TIMEOUT)
        self.s.settimeout(TIMEOUT)
        self.buf = b""

    def more(self):
        b = self.s.recv(1 << 20)
        if not b:
            fail("connection closed")
        self.buf += b

    def line(self):
        while b"\r\n" not in self.buf:
            self.more()
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def ok(self, cmd):
        if cmd is not None:
            self.s.sendall(cmd + b"\r\n")
        l = self.line()
        if not l.startswith(b"+OK"):
            fail("%r -> %r" % (cmd, l))
        return l

    def login(self, user, pw):
        self.ok(None)
        self.ok(b"USER " + user)
        self.ok(b"PASS " + pw)


def do_list(port, user, pw, n):
    t0 = time.monotonic()
    c = Conn(port)
    c.login(user, pw)
    st = c.ok(b"STAT").split()
    c.ok(b"UIDL")
    while b"\r\n.\r\n" not in c.buf:
        c.more()
    body, c.buf = c.buf.split(b"\r\n.\r\n", 1)
    c.ok(b"QUIT")
    t1 = time.monotonic()
    c.s.close()
    lines = body.count(b"\r\n") + 1 if body else 0
    if int(st[1]) != n or lines != n:
        fail("STAT %s, %d UIDL lines, want %d" % (st[1], lines, n))
    print("%.4f" % (t1 - t0))


def sender(s, n):
    for i in range(1, n + 1, 500):
        s.sendall(b"".join(b"RETR %d\r\n" % k
                           for k in range(i, min(i + 500, n + 1))))


def do_retr(port, user, pw, n):
    c = Conn(port)
    c.login(user, pw)
    t0 = time.monotonic()
    th = threading.Thread(target=sender, args=(c.s, n), daemon=True)
    th.start()
    # Each response ends in CRLF "." CRLF; dot-stuffing guarantees that
    # sequence appears nowhere else.  The greeting line of the first
    # response follows the PASS reply, already consumed.
    total, got, tail = len(c.buf), c.buf.count(b"\r\n.\r\n"), c.buf[-4:]
    c.buf = b""
    while got < n:
        b = c.s.recv(1 << 20)
        if not b:
            fail("closed after %d of %d messages" % (got, n))
        total += len(b)
        # a match across the boundary starts in the 4 bytes kept before
        got += b.count(b"\r\n.\r\n") + (tail + b[:4]).count(b"\r\n.\r\n")
        tail = (tail + b)[-4:] if len(b) < 4 else b[-4:]
    t1 = time.monotonic()
    th.join(TIMEOUT)
    c.ok(b"QUIT")
    c.s.close()
    print("%.4f %d" % (t1 - t0, total))


def main():
    if len(sys.argv) != 6 or sys.argv[1] not in ("list", "retr"):
        fail("usage: client.py list|retr PORT USER PASS N")
    port, user, pw, n = int(sys.argv[2]), sys.argv[3].encode(), \
        sys.argv[4].encode(), int(sys.argv[5])
    (do_list if sys.argv[1] == "list" else do_retr)(port, user, pw, n)


main()
