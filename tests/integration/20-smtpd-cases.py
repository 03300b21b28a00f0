# 20-smtpd-cases.py HOME PORT_STRANGER PORT_RELAY TCPSERVER_PID QUAILD_UID
# The client side of 20-smtpd.t.  Prints "ok NAME" / "notok NAME" /
# "# diag" lines; every socket has a timeout, every loop a bound.
import glob, os, smtplib, socket, sys, time

H, P1, P2, TS1, UID = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5])
C = H + "/control"
FQ = H + "/fakeq"


def res(cond, name):
    print(("ok " if cond else "notok ") + name, flush=True)


def diag(s):
    print("# " + str(s).replace("\n", " | "), flush=True)


def msgs():
    return sorted(glob.glob(FQ + "/msg.*"), key=os.path.getmtime)


def newest(before):
    new = [m for m in msgs() if m not in before]
    if len(new) != 1:
        return None, None
    env = new[0].replace("/msg.", "/env.")
    return open(new[0], "rb").read(), open(env, "rb").read()


class Raw:
    def __init__(self, port, timeout=10):
        self.s = socket.create_connection(("127.0.0.1", port), timeout)
        self.f = self.s.makefile("rb")

    def send(self, b):
        self.s.sendall(b)

    def reply(self):
        lines = []
        while True:
            ln = self.f.readline()
            if not ln:
                return lines
            lines.append(ln.decode("utf-8", "replace").rstrip("\r\n"))
            if len(ln) < 4 or ln[3:4] != b"-":
                return lines

    def code(self):
        r = self.reply()
        return r[-1][:3] if r else "EOF", r

    def cmd(self, b):
        self.send(b + b"\r\n")
        return self.code()

    def eof(self):
        try:
            return self.f.read() == b"" or True
        except OSError:
            return True

    def close(self):
        self.s.close()


def smtp(port=P1):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.ehlo("client.example")
    return s


def txn(r, rcpt=b"joe@test.example", mail=b"<a@b.example>"):
    r.cmd(b"EHLO client.example")
    r.cmd(b"MAIL FROM:" + mail)
    return r.cmd(b"RCPT TO:<" + rcpt + b">")


# 1. plain: smtplib, message and envelope as quail-queue sees them
before = msgs()
s = smtp()
code, ext = s.ehlo_resp and (250, s.ehlo_resp) or (0, b"")
for kw in (b"PIPELINING", b"SIZE 1000000", b"8BITMIME",
           b"ENHANCEDSTATUSCODES", b"SMTPUTF8"):
    res(kw in ext, "EHLO advertises " + kw.decode())
s.sendmail("a@b.example", ["joe@test.example", "list-x@test.example"],
           b"Subject: plain\r\n\r\nline one\r\n.leading dot\r\n")
s.quit()
m, e = newest(before)
res(m is not None, "plain message reaches the queue program")
if m:
    res(m.startswith(b"Received: from client.example ("), "Received: first")
    res(b"[127.0.0.1])\n\tby test.example (quail-smtpd) with ESMTP id " in m,
        "Received: names remote IP and protocol")
    res(b"\r" not in m and m.endswith(b"line one\n.leading dot\n"),
        "LF line ends, dot-unstuffed")
    parts = e.split(b"\0")
    res(parts[0][:1] == b"I" and len(parts[0]) > 8 and
        (b"id " + parts[0][1:] + b";") in m, "envelope I<qid> matches header")
    res(parts[1:5] == [b"Fa@b.example", b"Tjoe@test.example",
                       b"Tlist-x@test.example", b""] and e.endswith(b"\0\0"),
        "envelope F, T, T, final NUL")

# 2. pipelining: everything in one write, replies in order
before = msgs()
r = Raw(P1)
r.code()
r.send(b"EHLO p.example\r\nMAIL FROM:<a@b.example>\r\n"
       b"RCPT TO:<joe@test.example>\r\nRCPT TO:<nobody@test.example>\r\n"
       b"RCPT TO:<x@evil.example>\r\nDATA\r\n")
codes = [r.code()[0] for _ in range(6)]
res(codes == ["250", "250", "250", "550", "553", "354"],
    "pipelined replies in order: %s" % codes)
r.send(b"Subject: p\r\n\r\nbody\r\n.\r\nNOOP\r\nBOGUS\r\nRSET\r\nQUIT\r\n")
codes = [r.code()[0] for _ in range(5)]
res(codes == ["250", "250", "500", "250", "221"],
    "pipelined after DATA: %s" % codes)
r.close()
m, e = newest(before)
res(e is not None and e.count(b"\0T") == 1, "only the valid recipient queued")

# 3. 8-bit body with BODY=8BITMIME, passed through unchanged
before = msgs()
r = Raw(P1)
r.code()
r.cmd(b"EHLO c")
c1 = r.cmd(b"MAIL FROM:<a@b.example> BODY=8BITMIME")[0]
r.cmd(b"RCPT TO:<joe@test.example>")
r.cmd(b"DATA")
body = "Subject: 8bit\r\n\r\nK\xe4se \xff\xfe bytes\r\n".encode("latin-1")
r.send(body + b".\r\n")
c2 = r.code()[0]
r.cmd(b"QUIT")
m, e = newest(before)
res(c1 == "250" and c2 == "250" and m is not None and
    m.endswith("K\xe4se \xff\xfe bytes\n".encode("latin-1")), "8-bit body")

# 4. SMTPUTF8
r = Raw(P1)
r.code()
r.cmd(b"EHLO c")
c1 = r.cmd("MAIL FROM:<j\u00fcrgen@b.example>".encode())[0]
c2 = r.cmd("MAIL FROM:<j\u00fcrgen@b.example> SMTPUTF8".encode())[0]
c3 = r.cmd("RCPT TO:<joe@test.example>".encode())[0]
c4 = r.cmd(b"DATA")[0]
r.send("Subject: \u00fc\r\n\r\n\u00fc\r\n.\r\n".encode())
c5 = r.code()[0]
r.cmd(b"QUIT")
res([c1, c2, c3, c4, c5] == ["553", "250", "250", "354", "250"],
    "SMTPUTF8 required for and carries UTF-8 addresses: %s" %
    [c1, c2, c3, c4, c5])

# 5. SIZE (databytes 1000000)
def sized(n):
    """DATA of exactly n bytes in the queue's LF form, no SIZE= given."""
    before = msgs()
    r = Raw(P1)
    r.code()
    txn(r)
    r.cmd(b"DATA")
    hdr = b"Subject: size\r\n\r\n"          # 15 bytes as LF text
    k, rest = divmod(n - 15, 99)
    body = hdr + (b"x" * 98 + b"\r\n") * k
    if rest:
        body += b"y" * (rest - 1) + b"\r\n"
    r.send(body + b".\r\n")
    code = int(r.code()[0])
    r.cmd(b"QUIT")
    r.close()
    return code, newest(before)[0]


code, m = sized(1000000)   # the Received: line is not counted
res(code == 250 and m is not None and 1000000 < len(m) < 1000400,
    "message just under SIZE accepted (%s)" % code)
code, m = sized(1000001)
res(code == 552 and m is None, "message just over SIZE: 552 (%s)" % code)
r = Raw(P1)
r.code()
r.cmd(b"EHLO c")
res(r.cmd(b"MAIL FROM:<a@b.example> SIZE=1000001")[0] == "552",
    "MAIL SIZE= over the limit: 552")
res(r.cmd(b"MAIL FROM:<a@b.example> SIZE=999")[0] == "250",
    "MAIL SIZE= under the limit: 250")
res(r.cmd(b"RCPT TO:<joe@test.example> NOTIFY=NEVER")[0] == "555",
    "unknown RCPT parameter: 555")
r.cmd(b"QUIT")

# 6. the open-relay battery, as a stranger
tricks = [b"<joe@evil.example>", b"<joe%evil.example@test.example>",
          b"<@test.example:joe@evil.example>",
          b"<@test.example,@x.example:joe@test.example>",
          b"<evil.example!joe@test.example>",
          b'<"joe@evil.example"@test.example>',
          b"<joe@[1.2.3.4]>", b"<joe@[127.0.0.1]>",
          b"<joe@evil.example.>", b"<joe@test.example.evil.example>",
          b"<joe@eviltest.example>", b"<joe@test.example@evil.example>",
          b"<joe@evil.example>x", b"joe@evil.example",
          b"<joe@EVIL.example>", b"<joe@sub.test.example.evil.example>",
          b"<joe@>", b"<@evil.example>", b"<>"]
r = Raw(P1)
r.code()
r.cmd(b"EHLO stranger")
r.cmd(b"MAIL FROM:<a@b.example>")
bad = []
for t in tricks:
    c, lines = r.cmd(b"RCPT TO:" + t)
    if c[0] not in "45":
        bad.append(t)
    if (len(bad) + 1) % 15 == 0:
        r.cmd(b"RSET")
r.close()
res(bad == [], "every relay trick refused (accepted: %s)" % bad)
r = Raw(P1)
r.code()
r.cmd(b"EHLO stranger")
r.cmd(b"MAIL FROM:<a@b.example>")
c1 = r.cmd(b"RCPT TO:<joe@evil.example>")
c2 = r.cmd(b"RCPT TO:<joe%evil.example@test.example>")
c3 = r.cmd(b"RCPT TO:<JOE@Test.Example>")
c4 = r.cmd(b"RCPT TO:<ann@deep.sub.test.example>")
c4b = r.cmd(b"RCPT TO:<ann@sub.test.example>")
c5 = r.cmd(b"RCPT TO:<postmaster>")
c6 = r.cmd(b"RCPT TO:<x@[127.0.0.2]>")
r.close()
res(c1[1][-1].startswith("553 5.7.1"), "relay denied: 553 5.7.1")
res(c2[1][-1].startswith("553 5.7.1"), "percent hack: 553 5.7.1")
res(c3[0] == "250", "own domain in any case accepted")
res(c4[0] == "250", "sub-domain via .suffix in rcpthosts accepted")
res(c4b[0] == "553", ".suffix does not cover the domain itself (qmail)")
res(c5[0] == "250", "<postmaster> without domain accepted")
res(c6[0] == "250", "address literal listed in rcpthosts accepted")

# 7. RELAYCLIENT (tcprules) may relay
before = msgs()
s = smtp(P2)
s.sendmail("a@b.example", ["someone@elsewhere.example",
                           "joe%x@elsewhere.example"], b"Subject: r\r\n\r\nx\r\n")
s.quit()
m, e = newest(before)
res(e is not None and b"Tsomeone@elsewhere.example\0" in e,
    "RELAYCLIENT client relays")
r = Raw(P2)
r.code()
res(txn(r, b"nobody@test.example")[1][-1].startswith("550 5.1.1"),
    "RELAYCLIENT still gets 550 for an unknown local user")
r.close()

# 8. unknown user, badmailfrom, badrcptto
r = Raw(P1)
r.code()
res(txn(r, b"nobody@test.example")[1][-1].startswith("550 5.1.1"),
    "unknown user: 550 5.1.1")
res(r.cmd(b"RCPT TO:<blocked@test.example>")[1][-1].startswith("553 5.7.1"),
    "badrcptto: 553 5.7.1")
r.cmd(b"RSET")
res(r.cmd(b"MAIL FROM:<spammer@bad.example>")[1][-1].startswith("553 5.7.1"),
    "badmailfrom address: 553 5.7.1")
res(r.cmd(b"MAIL FROM:<x@worse.example>")[1][-1].startswith("553 5.7.1"),
    "badmailfrom @domain: 553 5.7.1")
r.close()

# 9. rcpt.cdb missing: fail closed with 451
os.rename(C + "/rcpt.cdb", C + "/rcpt.cdb.away")
r = Raw(P1)
r.code()
c = txn(r, b"joe@test.example")
os.rename(C + "/rcpt.cdb.away", C + "/rcpt.cdb")
res(c[1][-1].startswith("451 4.3.0"), "rcpt.cdb missing: 451 4.3.0")
r.close()

# 10. bare LF in DATA: 554 5.6.0 and close, nothing queued
before = msgs()
r = Raw(P1)
r.code()
txn(r)
r.cmd(b"DATA")
r.send(b"Subject: lf\r\n\r\nbare\nlf\r\n.\r\n")
c, lines = r.code()
res(c == "554" and lines[-1].startswith("554 5.6.0"), "bare LF: 554 5.6.0")
res(r.code()[0] == "EOF", "bare LF: connection closed")
r.close()
time.sleep(0.3)
res(newest(before)[0] is None, "bare LF: nothing queued")

# 11. NUL and bare CR: 554 5.6.0, session goes on
before = msgs()
r = Raw(P1)
r.code()
txn(r)
r.cmd(b"DATA")
r.send(b"Subject: nul\r\n\r\na\0b\r\n.\r\n")
c1 = r.code()[1]
c2 = r.cmd(b"NOOP")[0]
txn(r)
r.cmd(b"DATA")
r.send(b"Subject: cr\r\n\r\na\rb\r\n.\r\n")
c3 = r.code()[1]
r.cmd(b"QUIT")
res(c1 and c1[-1].startswith("554 5.6.0") and c2 == "250",
    "NUL: 554 5.6.0, session continues")
res(c3 and c3[-1].startswith("554 5.6.0"), "bare CR: 554 5.6.0")
res(newest(before)[0] is None, "NUL / bare CR: nothing queued")

# 12. a 10 KB line: in DATA it passes, as a command it closes
before = msgs()
s = smtp()
s.sendmail("a@b.example", ["joe@test.example"],
           b"Subject: long\r\n\r\n" + b"z" * 10240 + b"\r\n")
s.quit()
m, e = newest(before)
res(m is not None and (b"z" * 10240 + b"\n") in m, "10 KB body line passes")
r = Raw(P1)
r.code()
c, lines = r.cmd(b"NOOP " + b"a" * 10240)
res(lines and lines[-1].startswith("500 5.5.2") and r.code()[0] == "EOF",
    "10 KB command line: 500 5.5.2 and close")
r.close()

# 13. loop: more than 100 Received: lines
before = msgs()
r = Raw(P1)
r.code()
txn(r)
r.cmd(b"DATA")
r.send(b"Received: x\r\n" * 60 + b"Delivered-To: y\r\n" * 41 +
       b"\r\nloop\r\n.\r\n")
c = r.code()[1]
r.cmd(b"QUIT")
res(c and c[-1].startswith("554 5.4.6") and newest(before)[0] is None,
    "101 hops: 554 5.4.6")

# 14. protocol states, VRFY, HELP, unknown verbs
r = Raw(P1)
g = r.code()[1]
res(g and g[0].startswith("220 test.example ESMTP"), "greeting")
res(r.cmd(b"MAIL FROM:<a@b.example>")[0] == "503", "MAIL before EHLO: 503")
r.cmd(b"HELO c")
res(r.cmd(b"RCPT TO:<joe@test.example>")[0] == "503", "RCPT before MAIL: 503")
r.cmd(b"MAIL FROM:<a@b.example>")
res(r.cmd(b"MAIL FROM:<a@b.example>")[0] == "503", "nested MAIL: 503")
res(r.cmd(b"DATA")[0] == "503", "DATA without recipients: 503")
res(r.cmd(b"VRFY joe")[1][-1].startswith("252"), "VRFY: 252")
res(r.cmd(b"HELP")[1][-1].startswith("214"), "HELP: 214")
res(r.cmd(b"FROB")[1][-1].startswith("500 5.5.1"), "unknown verb: 500 5.5.1")
res(r.cmd(b"QUIT")[1][-1].startswith("221 2.0.0"), "QUIT: 221")
r.close()

# 15. quail-queue verdicts: 31 permanent, 82 with fd 6 text, 71 temporary
for code, want in (("31", "554"), ("82", "554 5.3.0 virus found"),
                   ("71", "451")):
    open(FQ + "/code", "w").write(code)
    r = Raw(P1)
    r.code()
    txn(r)
    r.cmd(b"DATA")
    r.send(b"Subject: q\r\n\r\nq\r\n.\r\n")
    c = r.code()[1]
    r.close()
    res(c and c[-1].startswith(want), "queue exit %s: %s (%s)" % (code, want, c))
os.unlink(FQ + "/code")

# 16. smtpd runs as quaild while a session is open
r = Raw(P1)
r.code()
uids = []
for p in glob.glob("/proc/[0-9]*"):
    try:
        st = open(p + "/status").read()
        if "\nPPid:\t%d\n" % TS1 in st and "quail-smtpd" in \
                open(p + "/cmdline", "rb").read().decode("latin-1"):
            uids.append(st.split("\nUid:\t")[1].split("\n")[0].split())
    except OSError:
        pass
r.close()
res(uids != [] and all(u == [str(UID)] * 4 for u in uids),
    "quail-smtpd runs as quaild (%s)" % uids)

# 17. too many errors: 421
r = Raw(P1)
r.code()
for i in range(20):
    r.cmd(b"BOGUS")
c, lines = r.code()
res(lines and lines[-1].startswith("421 4.7.0") and r.code()[0] == "EOF",
    "20 errors: 421 and close")
r.close()

# 18. disconnect in the middle of DATA: nothing queued
before = msgs()
r = Raw(P1)
r.code()
txn(r)
r.cmd(b"DATA")
r.send(b"Subject: cut\r\n\r\n" + b"half a message\r\n" * 1000)
time.sleep(0.3)
r.close()
time.sleep(0.5)
res(newest(before)[0] is None, "disconnect mid-DATA: nothing queued")

# 19. a stalled client is dropped after timeoutsmtpd (2 s)
open(C + "/timeoutsmtpd", "w").write("2\n")
os.chmod(C + "/timeoutsmtpd", 0o644)
r = Raw(P1, timeout=15)
t0 = time.time()
r.code()
c, lines = r.code()
dt = time.time() - t0
os.unlink(C + "/timeoutsmtpd")
res(lines and lines[-1].startswith("421 4.4.2") and 1 < dt < 10,
    "stalled client: 421 4.4.2 after %.1f s" % dt)
r.close()
