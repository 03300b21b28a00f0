#!/usr/bin/env python3
# 85-imap-cases.py HOME PORT: IMAP sessions against quail-imapd, printing
# "ok NAME" / "notok NAME" lines for 85-imap.t.  Every socket has a
# timeout, so nothing here can hang.
import imaplib
import os
import re
import socket
import sys
import time

H, PORT = sys.argv[1], int(sys.argv[2])
USER, PW = "alice@example.org", "secret"
MD = os.path.join(H, "mail/example.org/alice/Maildir")
socket.setdefaulttimeout(20)


def check(cond, name, info=""):
    print(("ok " if cond else "notok ") + name)
    if not cond and info:
        for line in str(info).splitlines()[:20]:
            print("# " + line)


def conn():
    return imaplib.IMAP4("127.0.0.1", PORT)


def login():
    m = conn()
    m.login(USER, PW)
    return m


class Raw:
    """A raw IMAP connection for what imaplib will not send."""

    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", PORT), 20)
        self.f = self.s.makefile("rb")
        self.greeting = self.f.readline()

    def send(self, b):
        self.s.sendall(b)

    def until(self, tag):
        out = []
        while True:
            line = self.f.readline()
            if not line:
                break
            out.append(line)
            m = re.search(rb"\{(\d+)\}\r\n$", line)
            if m:
                out.append(self.f.read(int(m.group(1))))
            if line.startswith(tag + b" "):
                break
        return b"".join(out)

    def cmd(self, tag, text):
        self.send(tag + b" " + text + b"\r\n")
        return self.until(tag)

    def close(self):
        self.s.close()


def crlf(b):
    return re.sub(rb"(?<!\r)\n", b"\r\n", b)


def files(sub, d=MD):
    return sorted(os.listdir(os.path.join(d, sub)))


# ---- before login ----
r = Raw()
check(r.greeting.startswith(b"* OK [CAPABILITY IMAP4rev1"), "greeting with capabilities")
out = r.cmd(b"a1", b"CAPABILITY")
check(b"AUTH=PLAIN" in out and b"a1 OK" in out, "CAPABILITY before login")
check(b"a2 BAD" in r.cmd(b"a2", b"SELECT INBOX"), "SELECT before login is BAD")
check(b"a3 BAD" in r.cmd(b"a3", b"FROB"), "unknown command is BAD")
check(b"a4 OK" in r.cmd(b"a4", b"NOOP"), "NOOP before login")
out = r.cmd(b"a5", b'LOGIN alice@example.org "wrong"')
check(b"a5 NO [AUTHENTICATIONFAILED]" in out, "wrong password: NO", out)
out = r.cmd(b"a6", b'ID ("name" "test")')
check(b'* ID ("name" "quail")' in out, "ID")
out = r.cmd(b"a6b", b"APPEND INBOX {100000}")
check(b"a6b NO [TOOBIG]" in out, "before login: a 100 KB literal refused unsent", out)
out = r.cmd(b"a7", b"LOGOUT")
check(b"* BYE" in out and b"a7 OK" in out, "LOGOUT before login")
r.close()

# commands pipelined after LOGIN in one write reach the session
r = Raw()
r.send(b"p1 LOGIN alice@example.org secret\r\np2 SELECT INBOX\r\np3 LOGOUT\r\n")
out = r.until(b"p3")
check(b"p1 OK" in out and b"p2 OK [READ-WRITE]" in out and b"* BYE" in out
      and b"p3 OK" in out, "commands pipelined after LOGIN are run", out)
r.close()
r = Raw()
r.send(b"q1 LOGIN {17+}\r\nalice@example.org {6+}\r\nsecret\r\n"
       b"q2 APPEND Trash (\\Seen) {14+}\r\nSubject: p\r\n\r\n\r\n"
       b"q3 STATUS Trash (MESSAGES)\r\nq4 LOGOUT\r\n")
out = r.until(b"q4")
check(b"q1 OK" in out and b"q2 OK" in out and b"(MESSAGES 1)" in out
      and b"q4 OK" in out, "LITERAL+ LOGIN and APPEND pipelined", out)
r.close()
r = Raw()
r.send(b"n1 LOGIN alice@example.org wrong\r\nn2 SELECT INBOX\r\nn3 LOGOUT\r\n")
out = r.until(b"n3")
check(b"n1 NO" in out and b"n2 BAD" in out and b"n3 OK" in out,
      "after a failed LOGIN pipelined commands run before login", out)
r.close()
m = login()
m.select("Trash")
m.store("1:*", "+FLAGS", "\\Deleted")
m.expunge()
m.logout()

m = conn()
typ, data = m.login(USER, PW)
check(typ == "OK" and b"CAPABILITY" in data[0], "LOGIN with capabilities in OK", data)
typ, data = m.capability()
check(b"UIDPLUS" in data[0] and b"IDLE" in data[0], "CAPABILITY after login")
typ, data = m.list()
names = b"\n".join(data)
check(b'"INBOX"' in names and b"\\Sent" in names and b"\\Trash" in names
      and b"\\Junk" in names and b"\\Drafts" in names, "LIST with special-use folders", names)
check(all(os.path.isdir(os.path.join(MD, "." + n, "cur")) for n in ("Sent", "Drafts", "Trash", "Junk")),
      "special-use folders created on first login")

# ---- SELECT and FETCH ----
typ, data = m.select("INBOX")
check(typ == "OK" and data[0] == b"3", "SELECT INBOX: 3 messages", data)
check(m.untagged_responses.get("UIDVALIDITY") is not None, "UIDVALIDITY sent")
typ, data = m.fetch("1:*", "(UID FLAGS RFC822.SIZE)")
check(typ == "OK" and len(data) == 3, "FETCH 1:* (UID FLAGS RFC822.SIZE)", data)
sizes = {}
for d in data:
    mm = re.search(rb"UID (\d+).*RFC822.SIZE (\d+)", d)
    if mm:
        sizes[int(mm.group(1))] = int(mm.group(2))
typ, data = m.fetch("1", "(BODY.PEEK[])")
body1 = data[0][1]
src1 = open(os.path.join(MD, "cur", [f for f in files("cur") if "1700000001" in f][0]), "rb").read()
check(body1 == crlf(src1), "BODY.PEEK[] is the message with CRLF", body1)
check(sizes.get(1) == len(body1), "RFC822.SIZE equals the bytes sent", sizes)
typ, data = m.fetch("1", "(FLAGS)")
check(b"\\Seen" not in data[0], "BODY.PEEK does not set \\Seen", data)
typ, data = m.fetch("1", "(BODY[HEADER.FIELDS (Subject)])")
check(data[0][1] == b"Subject: one\r\n\r\n", "BODY[HEADER.FIELDS (Subject)]", data)
typ, data = m.fetch("1", "(FLAGS)")
check(b"\\Seen" in data[0], "BODY[...] sets \\Seen", data)
typ, data = m.fetch("1", "(BODY.PEEK[]<0.7>)")
check(data[0][1] == b"Subject" and b"BODY[]<0>" in data[0][0], "partial fetch <0.7>", data)
typ, data = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS.NOT (Subject)])")
check(data[0][1] == b"From: Joe <x@example.org>\r\nDate: 1 Jun 2025 10:00:00 +0000\r\n\r\n", "HEADER.FIELDS.NOT", data)
typ, data = m.fetch("1", "(ENVELOPE)")
check(b'(("Joe" NIL "x" "example.org"))' in data[0] and b'"one"' in data[0], "ENVELOPE", data)
typ, data = m.fetch("3", "(BODYSTRUCTURE)")
bs = data[0]
check(b'"mixed"' in bs and b'("text" "plain" ("charset" "utf-8")' in bs and b'"base64"' in bs
      and b'"attachment"' in bs, "BODYSTRUCTURE of a multipart", bs)
typ, data = m.fetch("3", "(BODY.PEEK[2] BODY.PEEK[1.MIME] BODY.PEEK[TEXT])")
check(data[0][1] == b"aGVsbG8=" , "BODY[2] is the attachment's body", data)
check(data[1][1].startswith(b"Content-Type: text/plain"), "BODY[1.MIME]", data)
typ, data = m.fetch("2", "(RFC822.HEADER RFC822.TEXT)")
check(data[0][1] == b"Subject: two\r\n\r\n" and data[1][1] == b"body a\r\nbody b\r\n", "RFC822.HEADER/TEXT", data)
typ, data = m.fetch("1:3", "FAST")
check(typ == "OK" and b"INTERNALDATE" in data[0] and b"RFC822.SIZE" in data[0], "FETCH FAST")
typ, data = m.fetch("1", "FULL")
check(typ == "OK" and b"BODY (" in data[0] and b"ENVELOPE" in data[0], "FETCH FULL")
typ, data = m.fetch("2", "ALL")
check(typ == "OK" and b"ENVELOPE" in data[0], "FETCH ALL")
typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
check(typ == "OK" and len(data) == 3 and b"UID 1" in data[0], "UID FETCH adds UID", data)

# ---- hostile FETCH / sequence sets ----
for bad in ("0", "1:x", "99", "1,,2", "*:"):
    try:
        typ, data = m.fetch(bad, "(FLAGS)")
        check(False, "bad sequence set %r refused" % bad, data)
    except imaplib.IMAP4.error:
        check(True, "bad sequence set %r refused" % bad)
try:
    m.fetch("1", "(BODY[9.ZZZ])")
    check(False, "bad section refused")
except imaplib.IMAP4.error:
    check(True, "bad section refused")

# ---- SEARCH ----
def search(*crit, uid=False):
    if uid:
        typ, data = m.uid("SEARCH", *crit)
    else:
        typ, data = m.search(None, *crit)
    return data[0].split() if typ == "OK" else None

check(search("ALL") == [b"1", b"2", b"3"], "SEARCH ALL")
check(search('SUBJECT "two"') == [b"2"], "SEARCH SUBJECT")
check(search("OR", 'SUBJECT "one"', 'SUBJECT "two"') == [b"1", b"2"], "SEARCH OR")
# RFC822.TEXT above set \Seen on 2 (RFC 3501 6.4.5)
check(search("NOT", "SEEN") == [b"3"], "SEARCH NOT SEEN")
check(search("SEEN") == [b"1", b"2"], "SEARCH SEEN")
check(search('BODY "body b"') == [b"2"], "SEARCH BODY")
check(search('TEXT "Joe"') == [b"1"], "SEARCH TEXT")
check(search("LARGER", "100") == [b"3"], "SEARCH LARGER")
check(search("2:*", "UNSEEN") == [b"3"], "SEARCH with a sequence set")
check(search("2", uid=True) == [b"2"], "UID SEARCH returns UIDs")
check(search("UID", "1:2") == [b"1", b"2"], "SEARCH UID set")
check(search('HEADER "X-Spam" "yes"') == [b"3"], "SEARCH HEADER")
check(search("SENTSINCE", "1-Jan-2020", "SENTBEFORE", "1-Jan-2030") == [b"1"], "SEARCH SENTSINCE/SENTBEFORE")
check(search("SINCE", "1-Jan-2000") == [b"1", b"2", b"3"], "SEARCH SINCE (internal date)")
check(search("(OR 1 2)", "NOT", "1") == [b"2"], "SEARCH nested list")
typ, data = m.search("UTF-8", 'SUBJECT "two"')
check(typ == "OK" and data[0] == b"2", "SEARCH CHARSET UTF-8")
typ, data = m.search("KOI8-R", "ALL")
check(typ == "NO" and m.untagged_responses.get("BADCHARSET") is not None or typ == "NO",
      "SEARCH unknown charset: NO", (typ, data))

# ---- STORE and keywords ----
typ, data = m.store("2", "+FLAGS", "(\\Flagged $Junk)")
check(typ == "OK" and b"\\Flagged" in data[0] and b"$Junk" in data[0], "STORE +FLAGS with a keyword", data)
name2 = [f for f in files("cur") if "1700000002" in f][0]
check(name2.endswith(":2,FSa"), "flags in the file name (F, S, keyword a)", name2)
kw = open(os.path.join(MD, "dovecot-keywords")).read()
check(kw == "0 $Junk\n", "keyword table in dovecot-keywords", kw)
typ, data = m.store("2", "-FLAGS.SILENT", "(\\Flagged)")
check(typ == "OK" and data == [None], "STORE -FLAGS.SILENT sends nothing", data)
typ, data = m.fetch("2", "(FLAGS)")
check(b"$Junk" in data[0] and b"\\Flagged" not in data[0], "flags after -FLAGS", data)
check(search("KEYWORD", "$Junk") == [b"2"], "SEARCH KEYWORD")
typ, data = m.store("3", "FLAGS", "(\\Answered)")
check(typ == "OK" and b"\\Answered" in data[0], "STORE FLAGS replaces")
try:
    m.store("1", "+FLAGS", "(\\Recent)")
    check(False, "STORE \\Recent refused")
except imaplib.IMAP4.error:
    check(True, "STORE \\Recent refused")

# ---- mailboxes ----
check(m.create("Work")[0] == "OK", "CREATE Work")
check(m.create("Work.Project")[0] == "OK", "CREATE Work.Project")
check(os.path.isdir(os.path.join(MD, ".Work.Project", "new")), "Maildir++ folder .Work.Project")
check(m.create("Work")[0] == "NO", "CREATE existing: NO")
check(m.create("../evil")[0] == "NO" and not os.path.exists(os.path.join(H, "evil")), "CREATE ../evil refused")
typ, data = m.list('""', "%")
names = b"\n".join(data)
check(b'"Work"' in names and b"Work.Project" not in names and b"\\HasChildren" in names, "LIST %", names)
typ, data = m.list("Work.", "*")
check(len(data) == 1 and b'"Work.Project"' in data[0], "LIST with a reference", data)
check(m.subscribe("Work")[0] == "OK", "SUBSCRIBE")
typ, data = m.lsub('""', "*")
check(len(data) == 1 and b'"Work"' in data[0], "LSUB", data)
check(m.unsubscribe("Work")[0] == "OK" and m.lsub('""', "*")[1] == [None], "UNSUBSCRIBE")
check(m.rename("Work", "Job")[0] == "OK", "RENAME Work Job")
check(os.path.isdir(os.path.join(MD, ".Job.Project")) and not os.path.exists(os.path.join(MD, ".Work")),
      "RENAME moves the children")
typ, data = m.status("Job", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT)")
check(typ == "OK" and b"MESSAGES 0" in data[0] and b"UIDNEXT 1" in data[0], "STATUS", data)
check(m.delete("Job.Project")[0] == "OK" and not os.path.exists(os.path.join(MD, ".Job.Project")), "DELETE")
check(m.delete("INBOX")[0] == "NO", "DELETE INBOX refused")
check(m.delete("Nothing")[0] == "NO", "DELETE missing: NO")

# ---- APPEND, COPY, MOVE, EXPUNGE ----
msg = b"From: a@b.example\r\nSubject: appended\r\n\r\nline\r\n"
typ, data = m.append("Job", "(\\Seen $Forwarded)", '"01-Feb-2021 10:00:00 +0000"', msg)
check(typ == "OK" and b"APPENDUID" in data[0], "APPEND with flags and date: APPENDUID", data)
jf = files("cur", os.path.join(MD, ".Job"))
check(len(jf) == 1 and jf[0].endswith(":2,PS"), "APPEND file with P and S", jf)
jpath = os.path.join(MD, ".Job", "cur", jf[0])
check(open(jpath, "rb").read() == msg.replace(b"\r\n", b"\n"), "APPEND stored with LF line ends")
check(int(os.stat(jpath).st_mtime) == 1612173600, "APPEND date is the mtime")
check(re.search(r",S=%d,W=%d" % (len(msg) - 4, len(msg)), jf[0]) is not None, "APPEND name has S= and W=", jf)
typ, data = m.append("Nope", None, None, msg)
check(typ == "NO" and b"TRYCREATE" in b" ".join(m.untagged_responses.get("TRYCREATE", [b""])) or
      typ == "NO", "APPEND to a missing mailbox: NO [TRYCREATE]", (typ, data))
typ, data = m.copy("1:2", "Job")
check(typ == "OK" and b"COPYUID" in data[0], "COPY: COPYUID", data)
check(len(files("cur", os.path.join(MD, ".Job"))) == 3, "COPY made 2 files")
typ, data = m.select("Job")
check(data == [b"3"], "SELECT Job: 3", data)
typ, data = m._simple_command("UID", "MOVE", "2:3", "Trash")
check(typ == "OK", "UID MOVE", data)
check(m.untagged_responses.get("EXPUNGE") == [b"3", b"2"], "MOVE sends EXPUNGE", m.untagged_responses)
typ, data = m.select("Job")
check(data == [b"1"], "one message left after MOVE", data)
typ, data = m.status("Trash", "(MESSAGES)")
check(b"MESSAGES 2" in data[0], "MOVE target holds 2", data)
m.store("1", "+FLAGS", "\\Deleted")
typ, data = m.expunge()
check(typ == "OK" and data == [b"1"], "EXPUNGE", data)
check(files("cur", os.path.join(MD, ".Job")) == [], "EXPUNGE removed the file")
typ, data = m.select("INBOX", readonly=True)
check(typ == "OK", "EXAMINE")
typ, data = m.store("1", "+FLAGS", "\\Deleted")
check(typ == "NO", "STORE in EXAMINE refused", (typ, data))
typ, data = m.unselect() if hasattr(m, "unselect") else m._simple_command("UNSELECT")
check(typ == "OK", "UNSELECT")
typ, data = m.namespace()
check(typ == "OK" and b'(("" "."))' in data[0], "NAMESPACE", data)
typ, data = m.getquotaroot("INBOX")
check(typ == "OK", "GETQUOTAROOT", data)
m.logout()

# ---- UIDs adopted from Dovecot and Courier ----
m = login()
typ, data = m.select("Dove")
check(m.untagged_responses.get("UIDVALIDITY") == [b"1234"], "dovecot-uidlist: UIDVALIDITY adopted", data)
typ, data = m.fetch("1:*", "(UID)")
check([re.search(rb"UID (\d+)", d).group(1) for d in data] == [b"5", b"7", b"10"],
      "dovecot-uidlist: UIDs adopted, new mail after N", data)
typ, data = m.select("Cour")
check(m.untagged_responses.get("UIDVALIDITY") == [b"999"], "courierimapuiddb: UIDVALIDITY adopted")
typ, data = m.fetch("1", "(UID)")
check(b"UID 3" in data[0], "courierimapuiddb: UID adopted", data)
check(os.path.exists(os.path.join(MD, ".Cour", "quail-uidlist")), "adopted list written as quail-uidlist")
m.logout()

# ---- AUTHENTICATE PLAIN ----
m2 = conn()
typ, data = m2.authenticate("PLAIN", lambda _: ("\0%s\0%s" % (USER, PW)).encode())
check(typ == "OK", "AUTHENTICATE PLAIN", data)
m2.logout()

# ---- two sessions and a delivery ----
a, b = login(), login()
a.select("INBOX")
b.select("INBOX")
b.store("3", "+FLAGS", "\\Deleted")
b.expunge()
a.untagged_responses.clear()
typ, data = a.noop()
check(a.untagged_responses.get("EXPUNGE") == [b"3"], "other session's EXPUNGE reported", a.untagged_responses)
new = b"Subject: delivered\n\nhi\n"
open(os.path.join(MD, "tmp", "x"), "wb").write(new)
os.rename(os.path.join(MD, "tmp", "x"), os.path.join(MD, "new", "1800000000.M1P1.test,S=%d" % len(new)))
a.untagged_responses.clear()
typ, data = a.noop()
check(a.untagged_responses.get("EXISTS", [b""])[-1] == b"3", "delivery reported as EXISTS", a.untagged_responses)
b.store("1", "+FLAGS", "\\Flagged")
a.noop()
check(any(b"\\Flagged" in x for x in a.untagged_responses.get("FETCH", [])), "other session's flag change reported")
b.noop()
typ, data = b.fetch("3", "(UID)")
ta = a.fetch("3", "(UID)")[1]
check(data[-1] == ta[-1], "both sessions see the same UID", (data, ta))
# IDLE: a delivery wakes it
a.send(b"I1 IDLE\r\n")
line = a.readline()
check(line.startswith(b"+"), "IDLE continuation", line)
open(os.path.join(MD, "tmp", "y"), "wb").write(new)
os.rename(os.path.join(MD, "tmp", "y"), os.path.join(MD, "new", "1800000001.M1P1.test"))
line = a.readline()
check(line == b"* 4 EXISTS\r\n", "IDLE reports EXISTS", line)
a.send(b"DONE\r\n")
while not line.startswith(b"I1 "):
    line = a.readline()
check(line.startswith(b"I1 OK"), "IDLE DONE", line)
a.logout()
b.logout()

# ---- hostile input ----
r = Raw()
r.cmd(b"h0", b"LOGIN alice@example.org secret")
r.send(b"h1 NOOP " + b"x" * 70000 + b"\r\n")
out = r.until(b"* BAD")
check(b"* BAD" in out, "overlong line: BAD", out[:200])
check(b"h2 OK" in r.cmd(b"h2", b"NOOP"), "session goes on after an overlong line")
out = r.cmd(b"h3", b"APPEND INBOX {999999999999}")
check(b"h3 NO [TOOBIG]" in out, "huge literal refused before it is sent", out)
out = r.cmd(b"h4", b"FETCH " + b"(" * 40 + b")" * 40)
check(b"h4 BAD" in out, "nesting over 32: BAD", out)
out = r.cmd(b"h5", b"SELECT INBOX")
check(b"h5 OK" in out, "SELECT after hostile input")
out = r.cmd(b"h6", b"FETCH 1 (FLAGS\x00)")
check(b"h6 BAD" in out, "NUL in a command: BAD", out)
out = r.cmd(b"h7", b'SEARCH ' + b'NOT ' * 600 + b'ALL')
check(b"h7 BAD" in out or b"h7 OK" in out, "600 NOTs: bounded", out[-100:])
out = r.cmd(b"h8", b"APPEND INBOX {5+}\r\nabcde")
check(b"h8 OK" in out, "LITERAL+ APPEND", out)
out = r.cmd(b"h9", b"LOGIN x y")
check(b"h9 BAD" in out, "LOGIN when logged in: BAD", out)
r.send(b"h10 APPEND INBOX {100}\r\n")
line = r.f.readline()
check(line.startswith(b"+"), "literal continuation", line)
r.send(b"only a few bytes")
r.close()
time.sleep(0.3)
check(not any(f.startswith("only") for f in files("cur")), "literal never completed: nothing stored")
r = Raw()
out = r.cmd(b"i1", b"LOGIN alice@example.org secret")
check(b"i1 OK" in out, "server still serving after a dropped literal")
out = r.cmd(b"i2", b"RENAME INBOX Old")
check(b"i2 OK" in out, "RENAME INBOX", out)
check(files("cur") == [] and len(files("cur", os.path.join(MD, ".Old"))) >= 3, "RENAME INBOX moved the messages")
r.cmd(b"i3", b"LOGOUT")
r.close()

# ---- adversarial: sequence sets, sections, partials, names, LIST ----
r = Raw()
r.cmd(b"v0", b"LOGIN alice@example.org secret")
r.cmd(b"v1", b"CREATE Adv")
msg = (b"Subject: adv\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n"
       b"--X\r\nContent-Type: text/plain\r\n\r\nhello\r\n--X\r\n"
       b"Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\n"
       b"inner body\r\n--X--\r\n")
r.cmd(b"v2", b"APPEND Adv {%d+}\r\n" % len(msg) + msg)
r.cmd(b"v3", b"APPEND Adv {9+}\r\nSubject: \r\n")
r.cmd(b"v4", b"SELECT Adv")
out = r.cmd(b"v5", b"FETCH *:* (UID)")
check(b"* 2 FETCH" in out and b"* 1 FETCH" not in out and b"v5 OK" in out, "FETCH *:* is the last message", out)
out = r.cmd(b"v6", b"FETCH 4294967295 (UID)")
check(b"v6 BAD" in out, "sequence number beyond EXISTS: BAD", out)
out = r.cmd(b"v7", b"UID FETCH 4294967295:1 (UID)")
check(b"* 1 FETCH" in out and b"* 2 FETCH" in out and b"v7 OK" in out, "reversed UID range 4294967295:1", out)
out = r.cmd(b"v8", b"UID FETCH 4294967296 (UID)")
check(b"v8 BAD" in out, "UID over 32 bits: BAD", out)
out = r.cmd(b"v9", b"FETCH 0 (UID)")
check(b"v9 BAD" in out, "sequence number 0: BAD", out)
out = r.cmd(b"v10", b"FETCH 1 BODY.PEEK[" + b".".join(b"1" for _ in range(40)) + b"]")
check(b"v10 BAD" in out, "section with 40 part numbers: BAD", out)
out = r.cmd(b"v11", b"FETCH 1 (BODY.PEEK[2.1] BODY.PEEK[2.1.1] BODY.PEEK[1.1.1.1.1.1.1.1])")
check(b"BODY[2.1] {10}\r\ninner body " in out and b"BODY[2.1.1] {0}" in out
      and b"BODY[1.1.1.1.1.1.1.1] {0}" in out, "deep section numbers past a leaf are empty", out)
out = r.cmd(b"v12", b"FETCH 1 BODY.PEEK[]<18446744073709551615.18446744073709551615>")
check(b"v12 BAD" in out, "partial over 64 bits: BAD", out)
out = r.cmd(b"v13", b"FETCH 1 BODY.PEEK[]<1099511627775.1099511627775>")
check(b"BODY[]<1099511627775> {0}" in out and b"v13 OK" in out, "partial far past the end is empty", out)
out = r.cmd(b"v14", b"FETCH 1 BODY.PEEK[1]<2.2>")
check(b"BODY[1]<2> {2}\r\nll" in out, "partial inside a part", out)
out = r.cmd(b"v15", b"APPEND NoSuchFolder {3+}\r\nabc")
check(b"v15 NO [TRYCREATE]" in out, "APPEND to a missing folder: [TRYCREATE]", out)
bad = [b'"a..b"', b'".."', b'"a/b"', b'".hidden"', b'"x\x01y"', b"&bad", b"&AOk", b'"a*b"', b'"c%"', b'"caf\xc3\xa9"']
res = [r.cmd(b"v16", b"CREATE " + n) for n in bad]
check(all(b"v16 NO" in o or b"v16 BAD" in o for o in res), "CREATE refuses .., /, leading ., controls, bad mUTF-7, wildcards, 8-bit", res)
check(not any(os.path.exists(os.path.join(MD, x)) for x in ("..a..b", ".x\x01y", ".&bad")), "nothing made on disk for refused names")
out = r.cmd(b"v17", b"CREATE caf&AOk-")
check(b"v17 OK" in out and os.path.isdir(os.path.join(MD, ".caf&AOk-")), "CREATE with valid modified UTF-7", out)
out = r.cmd(b"v18", b"CREATE ~tilde")
check(b"v18 OK" in out and os.path.isdir(os.path.join(MD, ".~tilde")), "CREATE ~name stays inside the Maildir", out)
out = r.cmd(b"v19", b"RENAME caf&AOk- \"b%\"")
check(b"v19 NO" in out, "RENAME to a wildcard name refused", out)
t0 = time.time()
out = r.cmd(b"v20", b'LIST "" "' + b"*a" * 40 + b'b"')
check(b"v20 OK" in out and time.time() - t0 < 5, "LIST with 40 stars is fast (no backtracking)", time.time() - t0)
out = r.cmd(b"v21", b'LIST "" "*A*v"')
check(b'"Adv"' in out, "LIST *A*v matches", out)
kws = b" ".join(b"kw%d" % i for i in range(30))
out = r.cmd(b"v22", b"STORE 2 +FLAGS (" + kws + b")")
check(b"v22 NO [LIMIT]" in out, "too many keywords: NO [LIMIT], not dropped silently", out)
out = r.cmd(b"v23", b"SEARCH " + b"(" * 31 + b"ALL" + b")" * 31)
check(b"v23 OK" in out, "SEARCH nested 31 deep", out)
out = r.cmd(b"v24", b"SEARCH " + b"(" * 40 + b"ALL" + b")" * 40)
check(b"v24 BAD" in out, "SEARCH nested 40 deep: BAD", out)
out = r.cmd(b"v25", b"SEARCH " + b"OR " * 300 + b"ALL " * 301)
check(b"v25 OK" in out or b"v25 BAD" in out, "SEARCH with 300 ORs: bounded", out[-80:])
out = r.cmd(b"v26", b"RENAME INBOX INBOX")
check(b"v26 NO" in out, "RENAME INBOX INBOX: NO", out)
r.cmd(b"v27", b"LOGOUT")
r.close()

# ---- Maildir++ quota ----
ms = os.path.join(MD, "maildirsize")
open(ms, "w").write("2000S,100C\n1500 3\n")
os.chown(ms, int(sys.argv[3]), -1)
m = login()
typ, data = m.getquotaroot("INBOX")
check(typ == "OK" and b"STORAGE 1 1" in b" ".join(x for x in data[1] if x) and
      b"MESSAGE 3 100" in b" ".join(x for x in data[1] if x), "GETQUOTAROOT from maildirsize", data)
typ, data = m.append("INBOX", None, None, b"Subject: big\r\n\r\n" + b"x" * 600)
check(typ == "NO", "APPEND over quota: NO [OVERQUOTA]", (typ, data))
typ, data = m.append("INBOX", None, None, b"Subject: small\r\n\r\nx\r\n")
check(typ == "OK" and open(ms).read().endswith("\n18 1\n"), "APPEND counted in maildirsize", open(ms).read())
m.select("INBOX")
typ, data = m.search(None, 'SUBJECT "small"')
m.store(data[0], "+FLAGS", "\\Deleted")
m.expunge()
check(open(ms).read().endswith("\n-18 -1\n"), "EXPUNGE released in maildirsize", open(ms).read())
m.logout()
os.unlink(ms)

# ---- the disposable header cache ----
cache = os.path.join(MD, ".Old", "quail-cache")
m = login()
m.select("Old")
typ, data = m.fetch("1:*", "(ENVELOPE)")
check(os.path.exists(cache) and open(cache, "rb").read().count(b"\nH ") >= 3,
      "header cache written", open(cache, "rb").read()[:200] if os.path.exists(cache) else "")
m.logout()
raw = open(cache, "rb").read()
open(cache, "wb").write(raw[:len(raw) // 2] + b"garbage\x00\xff")
m = login()
m.select("Old")
typ, data2 = m.fetch("1:*", "(ENVELOPE)")
check(data2 == data, "a damaged cache is cut back and refilled; answers unchanged", (data, data2))
m.logout()
open(cache, "wb").write(b"quail-cache 1 1\nH 1 5\nWRONG\n")
m = login()
m.select("Old")
typ, data3 = m.fetch("1:*", "(ENVELOPE)")
check(data3 == data, "a cache of another UIDVALIDITY is ignored", data3)
typ, bs = m.fetch("1:*", "(BODYSTRUCTURE)")
typ, both = m.fetch("1:*", "(ENVELOPE BODYSTRUCTURE)")
m.logout()
craw = open(cache, "rb").read()
check(craw.startswith(b"quail-cache 2 ") and craw.count(b"\nB ") >= 3 and craw.count(b"\nE ") >= 3,
      "ENVELOPE and BODYSTRUCTURE records in the cache", craw[:300])
# the second FETCH must not read the messages: make them unreadable
olddir = os.path.join(MD, ".Old")
msgs = [os.path.join(olddir, sd, f) for sd in ("cur", "new") for f in os.listdir(os.path.join(olddir, sd))]
modes = [os.stat(p).st_mode & 0o7777 for p in msgs]
for p in msgs:
    os.chmod(p, 0)
m = login()
m.select("Old")
typ, bs2 = m.fetch("1:*", "(BODYSTRUCTURE)")
check(typ == "OK" and bs2 == bs, "second FETCH 1:* BODYSTRUCTURE served from the cache", (bs, bs2))
typ, both2 = m.fetch("1:*", "(ENVELOPE BODYSTRUCTURE)")
check(typ == "OK" and both2 == both, "FETCH ENVELOPE BODYSTRUCTURE served from the cache", (both, both2))
m.logout()
for p, mode in zip(msgs, modes):
    os.chmod(p, mode)
open(cache, "wb").write(craw[:len(craw) - 7] + b"\xffjunk")
m = login()
m.select("Old")
typ, bs3 = m.fetch("1:*", "(BODYSTRUCTURE)")
check(typ == "OK" and bs3 == bs, "a damaged BODYSTRUCTURE cache is rebuilt, answers unchanged", (bs, bs3))
m.logout()

# ---- SEARCH over decoded text (RFC 2047 words, QP, base64, charsets) ----
m = login()
m.create("Enc")
enc_msgs = [
    b"Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n"
    b"From: =?iso-8859-1?B?Suly9G1l?= <j@example.org>\r\n"
    b"To: =?US-ASCII?Q?Plain_Name?= <p@example.org>\r\n\r\nshort\r\n",
    b"Subject: qp\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Caf=E9 cr=E8me br=FB=\r\nl=E9e, soft=3Dbroken\r\n",
    b"Subject: b64\r\nMIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
    b"--zz\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    b"SGlkZGVuIFNww6RyZSB3b3JkcyBpbiBiYXNlNjQ=\r\n"
    b"--zz\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    b"c2VjcmV0YXR0YWNobWVudA==\r\n--zz--\r\n",
    b"Subject: =?koi8-r?B?8NLJ18XU?=\r\nCc: Someone <s@example.org>\r\n\r\nx\r\n",
]
for msg in enc_msgs:
    m.append("Enc", None, None, msg)
m.select("Enc")

def esearch(*crit):
    typ, data = m.search(None, *crit)
    return data[0].split() if typ == "OK" else None

check(esearch('SUBJECT "aus koln"') == [], "SEARCH SUBJECT does not match a missing umlaut")
check(esearch('SUBJECT "=?utf-8?Q?Gr"') == [], "SEARCH SUBJECT: the encoded form does not match")
check(esearch('FROM "jeROME"') == [] and esearch('FROM "j@example"') == [b"1"],
      "SEARCH FROM: ASCII parts of a decoded field")
check(esearch('TO "plain name"') == [b"1"], "SEARCH TO: Q-encoded us-ascii word, case-insensitive")
check(esearch('BODY "soft=broken"') == [b"2"], "SEARCH BODY: quoted-printable decoded (=3D)")
check(esearch('BODY "=E9"') == [], "SEARCH BODY: the QP escape itself does not match")
check(esearch('BODY "words in base64"') == [b"3"], "SEARCH BODY: base64 text part decoded")
check(esearch('TEXT "SGlkZGVu"') == [], "SEARCH TEXT: base64 source does not match")
check(esearch('BODY "secretattachment"') == [], "SEARCH BODY: base64 attachments are not searched")
check(esearch('CC "SOMEONE"') == [b"4"], "SEARCH CC")
check(esearch('BCC "x"') == [], "SEARCH BCC without a Bcc field")
check(esearch('HEADER "Subject" "qp"') == [b"2"], "SEARCH HEADER over decoded values")

def usearch(key, s):
    m.literal = s.encode("utf-8")
    typ, data = m.search("UTF-8", key)
    return data[0].split() if typ == "OK" else None

check(usearch("SUBJECT", "GRÜSSE") == [] and usearch("SUBJECT", "grüße AUS köln") == [b"1"],
      "SEARCH CHARSET UTF-8 literal: encoded-word Subject, umlauts folded")
check(usearch("FROM", "JÉRÔME") == [b"1"], "SEARCH CHARSET UTF-8: iso-8859-1 B-word From, É folded")
check(usearch("BODY", "CAFÉ CRÈME BRÛLÉE") == [b"2"],
      "SEARCH CHARSET UTF-8: QP latin-1 body with a soft break")
check(usearch("TEXT", "späre") == [b"3"], "SEARCH CHARSET UTF-8: base64 UTF-8 body")
check(usearch("SUBJECT", "\u041f\u0420\u0418") == [],
      "SEARCH: unknown charset (koi8-r) is not converted")
m.logout()

# ---- ownership ----
st = os.stat(os.path.join(MD, "quail-uidlist"))
check(st.st_uid == int(sys.argv[3]), "uid list written as the mailbox owner (quailv)")
