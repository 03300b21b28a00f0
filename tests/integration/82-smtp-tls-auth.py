# 82-smtp-tls-auth.py: the client side of 82-smtp-tls-auth.t.
# Usage: 82-smtp-tls-auth.py CHECK PORT [ARGS...]; prints one line:
# "ok" or "fail: why".  Each CHECK is one scenario against quail-smtpd
# behind quail-tls (STARTTLS, implicit TLS, AUTH, submission policy).
import base64
import smtplib
import socket
import ssl
import sys
import time

CHECK, PORT = sys.argv[1], int(sys.argv[2])
ARGS = sys.argv[3:]
USER, PASS = "joe@mbox.example", "joe-secret-1"
CTX = ssl.create_default_context()
CTX.check_hostname = False
CTX.verify_mode = ssl.CERT_NONE


class Raw:
    """A line-level SMTP client on a socket that may turn into TLS."""

    def __init__(self, port, implicit=False):
        self.s = socket.create_connection(("127.0.0.1", port), 15)
        self.s.settimeout(15)
        if implicit:
            self.s = CTX.wrap_socket(self.s)
        self.buf = b""

    def reply(self):
        lines = []
        while True:
            while b"\n" not in self.buf:
                d = self.s.recv(4096)
                if not d:
                    return " | ".join(lines + ["EOF"])
                self.buf += d
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.decode("latin1").rstrip("\r")
            lines.append(line)
            if len(line) < 4 or line[3] != "-":
                return " | ".join(lines)

    def send(self, s):
        self.s.sendall(s.encode() + b"\r\n")

    def cmd(self, s):
        self.send(s)
        return self.reply()

    def tls(self):
        self.s = CTX.wrap_socket(self.s)


def b64(s):
    return base64.b64encode(s.encode()).decode()


def expect(got, prefix, what):
    if not got.startswith(prefix):
        print("fail: %s: got %r, want %r" % (what, got, prefix))
        sys.exit(0)


def msg(frm, to):
    return ("From: <%s>\r\nTo: <%s>\r\nSubject: t %s\r\n\r\nbody\r\n"
            % (frm, to, CHECK))


def run():
    if CHECK == "smtplib":  # STARTTLS + LOGIN + relay on submission
        with smtplib.SMTP("127.0.0.1", PORT, timeout=15) as c:
            c.starttls(context=CTX)
            c.login(USER, PASS)
            c.sendmail(USER, ["friend@remote.example"],
                       msg(USER, "friend@remote.example"))
    elif CHECK == "smtplib-ssl":  # implicit TLS (465)
        with smtplib.SMTP_SSL("127.0.0.1", PORT, timeout=15,
                              context=CTX) as c:
            c.login(USER, PASS)
            c.sendmail(USER, ["friend@remote.example"],
                       msg(USER, "friend@remote.example"))
    elif CHECK == "badpass":
        c = smtplib.SMTP("127.0.0.1", PORT, timeout=15)
        c.starttls(context=CTX)
        t = time.time()
        try:
            c.login(USER, "wrong-password")
            print("fail: login with a wrong password succeeded")
            return
        except smtplib.SMTPAuthenticationError as e:
            took = time.time() - t
            if e.smtp_code != 535 or not e.smtp_error.startswith(b"5.7.8"):
                print("fail: got %r" % (e,))
                return
            if took < 1:
                print("fail: 535 after %.2f s, no delay" % took)
                return
    elif CHECK == "ehlo":  # EHLO before/after STARTTLS
        r = Raw(PORT)
        expect(r.reply(), "220 ", "greeting")
        e = r.cmd("EHLO client.example")
        if "STARTTLS" not in e or "AUTH" in e:
            print("fail: plaintext EHLO: %r" % e)
            return
        expect(r.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (USER, PASS))), "538 ",
               "AUTH before STARTTLS")
        expect(r.cmd("STARTTLS"), "220 ", "STARTTLS")
        r.tls()
        expect(r.cmd("MAIL FROM:<a@b.example>"), "503 ", "state reset")
        e = r.cmd("EHLO client.example")
        if "STARTTLS" in e or "AUTH PLAIN LOGIN" not in e:
            print("fail: EHLO under TLS: %r" % e)
            return
        expect(r.cmd("STARTTLS"), "503 ", "second STARTTLS")
        expect(r.cmd("QUIT"), "221 ", "QUIT")
    elif CHECK == "inject":  # CVE-2011-0411: pipelined after STARTTLS
        r = Raw(PORT)
        r.reply()
        r.cmd("EHLO client.example")
        r.send("STARTTLS\r\nMAIL FROM:<evil@attacker.example>")
        expect(r.reply(), "220 ", "STARTTLS")
        r.tls()
        expect(r.cmd("EHLO client.example"), "250", "EHLO under TLS")
        expect(r.cmd("RCPT TO:<joe@mbox.example>"), "503 5.5.1 MAIL first",
               "pipelined MAIL discarded")
        expect(r.cmd("QUIT"), "221 ", "QUIT")
    elif CHECK == "submission":  # policies of quail-smtpd -s
        r = Raw(PORT)
        r.reply()
        r.cmd("EHLO client.example")
        expect(r.cmd("STARTTLS"), "220 ", "STARTTLS")
        r.tls()
        r.cmd("EHLO client.example")
        expect(r.cmd("MAIL FROM:<%s>" % USER), "530 5.7.0",
               "MAIL without AUTH")
        expect(r.cmd("AUTH LOGIN"), "334 VXNlcm5hbWU6", "LOGIN user")
        expect(r.cmd("*"), "501 ", "cancel")
        expect(r.cmd("AUTH PLAIN"), "334 ", "PLAIN challenge")
        expect(r.cmd("!!notbase64"), "501 5.5.2", "bad base64")
        expect(r.cmd("AUTH CRAM-MD5"), "504 ", "unknown mechanism")
        expect(r.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (USER, PASS))),
               "235 2.7.0", "PLAIN with initial response")
        expect(r.cmd("AUTH PLAIN " + b64("\0%s\0%s" % (USER, PASS))),
               "503 ", "second AUTH")
        expect(r.cmd("MAIL FROM:<ann@mbox.example>"), "553 5.7.1",
               "someone else's sender")
        expect(r.cmd("MAIL FROM:<>"), "553 5.7.1", "null sender")
        expect(r.cmd("MAIL FROM:<JOE+list@MBOX.example>"), "250 ",
               "own sender with an extension")
        expect(r.cmd("RCPT TO:<friend@remote.example>"), "250 ",
               "relay after AUTH")
        expect(r.cmd("QUIT"), "221 ", "QUIT")
    elif CHECK == "norelay":  # port 25 under TLS, no AUTH: no relaying
        r = Raw(PORT)
        r.reply()
        r.cmd("EHLO client.example")
        r.cmd("STARTTLS")
        r.tls()
        r.cmd("EHLO client.example")
        expect(r.cmd("MAIL FROM:<x@stranger.example>"), "250 ", "MAIL")
        expect(r.cmd("RCPT TO:<friend@remote.example>"), "553 5.7.1",
               "relay refused")
        expect(r.cmd("RCPT TO:<joe@mbox.example>"), "250 ", "local rcpt")
        expect(r.cmd("QUIT"), "221 ", "QUIT")
    elif CHECK == "plainauth":  # no TLS at all; ARGS[0]: offered or not
        r = Raw(PORT)
        r.reply()
        e = r.cmd("EHLO client.example")
        a = r.cmd("AUTH LOGIN " + b64(USER))
        if ARGS[0] == "no":
            if "AUTH" in e or not a.startswith("502 "):
                print("fail: AUTH without TLS: %r %r" % (e, a))
                return
        else:
            expect(a, "334 UGFzc3dvcmQ6", "LOGIN password prompt")
            expect(r.cmd(b64(PASS)), "235 ", "LOGIN")
    elif CHECK == "hold":  # keep a TLS session open for the uid checks
        r = Raw(PORT)
        r.reply()
        r.cmd("EHLO client.example")
        r.cmd("STARTTLS")
        r.tls()
        r.cmd("EHLO client.example")
        time.sleep(float(ARGS[0]))
        r.cmd("QUIT")
    elif CHECK == "toomany":  # three wrong passwords: 421 and close
        r = Raw(PORT, implicit=True)
        r.reply()
        r.cmd("EHLO client.example")
        for i in range(3):
            a = r.cmd("AUTH PLAIN " + b64("\0%s\0bad%d" % (USER, i)))
            expect(a, "535 5.7.8", "wrong password %d" % i)
        if "421 " not in a and not r.reply().startswith("421 "):
            print("fail: no 421 after 3 failures: %r" % a)
            return
    print("ok")


try:
    run()
except Exception as e:  # noqa: BLE001 - report, the .t counts it
    print("fail: %s: %r" % (CHECK, e))
