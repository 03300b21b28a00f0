# 90-pop3-cases.py HOME PORT QUAILD_UID QUAILV_UID: the client side of
# 90-pop3.t.  Prints "ok NAME" / "notok NAME" / "# diag"; every socket has
# a timeout, every loop a bound.
import glob, os, poplib, socket, sys, time, base64

H, P, DUID, VUID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4])
A = H + "/mail/example.org/alice/Maildir"
B = H + "/mail/example.org/bob/Maildir"
U, PW = "alice@example.org", "secret"


def res(cond, name):
    print(("ok " if cond else "notok ") + name, flush=True)


def diag(s):
    print("# " + str(s).replace("\n", " | "), flush=True)


class Raw:
    def __init__(self, timeout=20):
        self.s = socket.create_connection(("127.0.0.1", P), timeout)
        self.f = self.s.makefile("rb")

    def send(self, b):
        self.s.sendall(b)

    def line(self):
        return self.f.readline(4096)

    def cmd(self, b):
        self.send(b + b"\r\n")
        return self.line()

    def multi(self):
        out = []
        for _ in range(200000):
            l = self.line()
            if l in (b".\r\n", b""):
                break
            out.append(l)
        return out

    def close(self):
        self.s.close()


def login(p=None):
    p = p or poplib.POP3("127.0.0.1", P, timeout=30)
    p.user(U)
    p.pass_(PW)
    return p


def files(d):
    return sorted(os.listdir(d + "/new") + os.listdir(d + "/cur"))


# --- AUTHORIZATION state ---
r = Raw()
g = r.line()
res(g.startswith(b"+OK"), "greeting")
caps = (r.cmd(b"CAPA"), r.multi())
res(b"USER\r\n" in caps[1] and b"SASL PLAIN\r\n" in caps[1] and
    b"UIDL\r\n" in caps[1] and b"TOP\r\n" in caps[1], "CAPA before login")
res(b"STLS\r\n" not in caps[1], "no STLS without quail-tls")
for c in (b"STAT", b"LIST", b"RETR 1", b"DELE 1", b"UIDL", b"TOP 1 1"):
    res(r.cmd(c).startswith(b"-ERR"), "before login: " + c.decode())
res(r.cmd(b"PASS x").startswith(b"-ERR"), "PASS without USER")
res(r.cmd(b"XYZZY").startswith(b"-ERR"), "unknown command")
res(r.cmd(b"US\x00R a").startswith(b"-ERR"), "NUL in a command")
res(r.cmd(b"USER " + U.encode()).startswith(b"+OK"), "USER")
t0 = time.time()
a = r.cmd(b"PASS wrong")
res(a.startswith(b"-ERR [AUTH]"), "wrong password: -ERR [AUTH]")
res(time.time() - t0 >= 1.5, "delay after a failed login")
res(r.cmd(b"QUIT").startswith(b"+OK"), "QUIT before login")
r.close()

r = Raw()
r.line()
r.send(b"A" * 300 + b"\r\n")
a = r.line()
res(a.startswith(b"-ERR") and r.line() == b"", "overlong line: -ERR, closed")
r.close()

r = Raw()
r.line()
r.cmd(b"USER carol@example.org")
res(r.cmd(b"PASS secret").startswith(b"-ERR"), "nopop flag refuses POP3")
r.close()

# --- TRANSACTION state with poplib ---
p = login()
n, size = p.stat()
res(n == 3, "STAT count")
lst = p.list()[1]
res(len(lst) == 3 and sum(int(x.split()[1]) for x in lst) == size,
    "LIST sums to STAT")
uids = [x.split()[1] for x in p.uidl()[1]]
M1 = [f for f in files(A) if f.startswith("1700000001")][0]
res(uids[0] == M1.encode() and
    uids[2] == b"1700000003.M1P1.h", "UIDL = maildir unique names")
m = p.retr(1)[1]
res(m[3] == b".leading dot" and m[5] == b"..two dots",
    "RETR dot-stuffing round trip")
res(int(lst[0].split()[1]) == sum(len(x) + 2 for x in m),
    "LIST size = octets sent (W=)")
m3 = p.retr(3)[1]
res(m3 == [b"Subject: three", b"", b"already crlf", b"no final newline"],
    "stored CRLF kept single, final line ended")
t = p.top(2, 1)[1]
res(t == [b"Subject: two", b"", b"body a"], "TOP 2 1")
t = p.top(2, 0)[1]
res(t == [b"Subject: two", b""], "TOP 2 0")
for c in ("RETR 0", "RETR 4", "RETR 99999999999", "RETR -1", "RETR x",
          "LIST 9", "DELE 0", "TOP 1", "TOP 1 x"):
    try:
        p._shortcmd(c)
        res(False, "out of range: " + c)
    except poplib.error_proto:
        res(True, "out of range: " + c)
p.dele(1)
try:
    p.retr(1)
    res(False, "RETR of a deleted message")
except poplib.error_proto:
    res(True, "RETR of a deleted message")
res(p.stat()[0] == 2, "STAT after DELE")
p.rset()
res(p.stat()[0] == 3, "RSET undeletes")

# uids: the login process as quaild, the session as quailv
u = set()
for d in glob.glob("/proc/[0-9]*"):
    try:
        if os.readlink(d + "/exe") == H + "/bin/quail-pop3d":
            for l in open(d + "/status"):
                if l.startswith("Uid:"):
                    u.add(int(l.split()[1]))
    except OSError:
        pass
res(DUID in u and VUID in u and 0 not in u, "uids: quaild login, quailv session")

# second session on the same maildrop
r = Raw()
r.line()
r.cmd(b"USER " + U.encode())
a = r.cmd(b"PASS " + PW.encode())
res(a.startswith(b"-ERR [IN-USE]"), "second session: -ERR [IN-USE]")
r.close()

# DELE then dropped connection: nothing deleted
p.dele(1)
p.dele(2)
before = files(A)
p.file.close()
p.sock.close()
for _ in range(100):
    if not os.path.exists(A + "/quail-pop3d.lock"):
        break
    time.sleep(0.1)
res(files(A) == before and len(before) == 3, "dropped connection deletes nothing")

# DELE + QUIT: deleted; the rest moved to cur/ with S when retrieved
p = login()
p.retr(3)
p.dele(2)
p.quit()
res(os.listdir(A + "/new") == [], "QUIT: new/ emptied")
cur = sorted(os.listdir(A + "/cur"))
res(cur == [M1 + ":2,", "1700000003.M1P1.h:2,FS"],
    "QUIT: deleted gone, moved to cur/, S added")
res(not os.path.exists(A + "/quail-pop3d.lock"), "lock removed")

# AUTH PLAIN: initial response, continuation, cancel, pipelining past PASS
ir = base64.b64encode(b"\0" + U.encode() + b"\0" + PW.encode())
r = Raw()
r.line()
a = r.cmd(b"AUTH PLAIN " + ir)
res(a.startswith(b"+OK") and r.cmd(b"STAT").startswith(b"+OK 2 "),
    "AUTH PLAIN with initial response")
r.cmd(b"QUIT")
r.close()
r = Raw()
r.line()
res(r.cmd(b"AUTH PLAIN").startswith(b"+ "), "AUTH PLAIN continuation")
res(r.cmd(b"*").startswith(b"-ERR"), "AUTH cancelled with *")
r.cmd(b"AUTH PLAIN")
res(r.cmd(ir).startswith(b"+OK"), "AUTH PLAIN continuation login")
r.cmd(b"QUIT")
r.close()
r = Raw()
r.line()
r.send(b"USER " + U.encode() + b"\r\nPASS " + PW.encode() +
       b"\r\nSTAT\r\nNOOP\r\nQUIT\r\n")
got = [r.line() for _ in range(5)]
res(got[0].startswith(b"+OK") and got[1].startswith(b"+OK") and
    got[2].startswith(b"+OK 2 ") and got[4].startswith(b"+OK"),
    "pipelined commands across PASS")
r.close()

# overlong line after login: -ERR and close, nothing deleted
r = Raw()
r.line()
r.cmd(b"USER " + U.encode())
r.cmd(b"PASS " + PW.encode())
r.cmd(b"DELE 1")
r.send(b"NOOP " + b"x" * 400 + b"\r\n")
res(r.line().startswith(b"-ERR") and r.line() == b"",
    "overlong line in session: -ERR, closed")
r.close()
time.sleep(0.3)
res(len(files(A)) == 2, "overlong line: no UPDATE")

# pop3requiretls
open(H + "/control/pop3requiretls", "w").write("1\n")
r = Raw()
r.line()
r.cmd(b"CAPA")
caps = r.multi()
res(b"USER\r\n" not in caps, "requiretls: no USER in CAPA")
res(r.cmd(b"USER " + U.encode()).startswith(b"-ERR [AUTH]"),
    "requiretls: USER refused")
res(r.cmd(b"AUTH PLAIN " + ir).startswith(b"-ERR [AUTH]"),
    "requiretls: AUTH refused")
r.close()
os.unlink(H + "/control/pop3requiretls")

# 10,000 messages
t0 = time.time()
p = poplib.POP3("127.0.0.1", P, timeout=120)
p.user("bob@example.org")
p.pass_(PW)
n, size = p.stat()
res(n == 10000, "10,000-message maildrop: STAT")
res(len(p.uidl()[1]) == 10000 and len(p.list()[1]) == 10000,
    "10,000-message maildrop: UIDL and LIST")
p.quit()
diag("10,000 messages: login+STAT+UIDL+LIST+QUIT %.2f s" % (time.time() - t0))
res(len(os.listdir(B + "/cur")) == 10000, "10,000 moved to cur/")
