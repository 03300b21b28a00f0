#!/usr/bin/env python3
"""95-remote-peer.py: a scriptable fake SMTP server for the quail-remote tests.

usage: 95-remote-peer.py PORT CONFIG.json LOGFILE [ADDR]
Listens on ADDR (default 127.0.0.1; an IPv6 address works too) port PORT.
CONFIG.json is read again for every new connection, so a test can change
the peer's behaviour between attempts.  Each session is appended to LOGFILE as one JSON
line: commands seen, whether the client pipelined, TLS, AUTH, the DATA bytes.
CONFIG keys (all optional): greeting, ehlo (list of extension lines),
no_ehlo (answer EHLO with 500), mail, rcpt {addr: reply}, data, final,
drop_in_data (close after the first DATA line), tls {cert, key},
tls_break (the first STARTTLS is answered with garbage),
auth "user:password" (then MAIL needs AUTH first), drop_after N (close
the connection right after the final reply to the N-th message of a
session), lifetime (seconds the server runs, read once at start; default
120, at most 900).  The config is read again at each MAIL too, so a
reused session follows a changed config from its next transaction on.
A session's record also has "msgs" (messages taken in it) and "tokens"
(the "token X" lines of each message's body).
LOGFILE.n holds the number of sessions accepted so far (written before
the greeting), so a reader can wait until every record is in.
Stops itself after the lifetime in any case.
"""
import base64
import json
import socket
import ssl
import sys
import threading
import time

PORT, CONFFILE, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ADDR = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
CONF = json.load(open(CONFFILE))
lock = threading.Lock()
accepted = 0


class Sess:
    def __init__(self, sock):
        self.s = sock
        self.conf = CONF  # this session's snapshot
        self.buf = b""
        self.rec = {"cmds": [], "pipelined": False, "tls": False,
                    "auth": None, "data": None, "msgs": 0, "tokens": []}

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        ln, self.buf = self.buf.split(b"\n", 1)
        return ln.rstrip(b"\r")

    def send(self, text):
        self.s.sendall(text.encode() + b"\r\n")

    def data(self):
        lines = []
        while True:
            ln = self.line()
            if self.conf.get("drop_in_data"):
                raise EOFError
            if ln == b".":
                break
            lines.append(ln)
        return b"\n".join(lines).decode("utf-8", "replace")

    def ehlo(self):
        ext = list(self.conf.get("ehlo", []))
        if self.conf.get("tls") and not self.rec["tls"]:
            ext.append("STARTTLS")
        lines = ["fake.test"] + ext
        for i, l in enumerate(lines):
            self.send("250%s%s" % (" " if i == len(lines) - 1 else "-", l))

    def auth(self, arg):
        want = self.conf["auth"]
        parts = arg.split(" ")
        if parts[0].upper() == "PLAIN" and len(parts) == 2:
            got = base64.b64decode(parts[1]).split(b"\0")
            cred = (got[1] + b":" + got[2]).decode()
        elif parts[0].upper() == "LOGIN":
            self.send("334 VXNlcm5hbWU6")
            u = base64.b64decode(self.line()).decode()
            self.send("334 UGFzc3dvcmQ6")
            p = base64.b64decode(self.line()).decode()
            cred = u + ":" + p
        else:
            return self.send("504 5.5.4 mechanism")
        self.rec["auth"] = cred
        if cred == want:
            self.send("235 2.7.0 ok")
        else:
            self.rec["auth"] = "FAILED " + cred
            self.send("535 5.7.8 bad credentials")

    def starttls(self):
        self.send("220 2.0.0 go ahead")
        if self.conf.get("tls_break") and not getattr(Sess, "broke", False):
            Sess.broke = True
            self.s.sendall(b"this is not TLS\r\n")
            raise EOFError("broke TLS on purpose")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.conf["tls"]["cert"], self.conf["tls"]["key"])
        self.s = ctx.wrap_socket(self.s, server_side=True)
        self.buf = b""
        self.rec["tls"] = True

    def run(self):
        self.send(self.conf.get("greeting", "220 fake.test ESMTP"))
        while True:
            ln = self.line().decode("utf-8", "replace")
            self.rec["cmds"].append(ln)
            if self.buf:
                self.rec["pipelined"] = True
            verb = ln.split(" ")[0].upper()
            arg = ln[len(verb) + 1:]
            if verb == "EHLO":
                self.send("500 5.5.1 no EHLO") if self.conf.get("no_ehlo") \
                    else self.ehlo()
            elif verb == "HELO":
                self.send("250 fake.test")
            elif verb == "STARTTLS" and self.conf.get("tls"):
                self.starttls()
            elif verb == "AUTH" and self.conf.get("auth"):
                self.auth(arg)
            elif verb == "MAIL":
                self.conf = reload(self.conf)
                if self.conf.get("auth") and self.rec["auth"] != self.conf["auth"]:
                    self.send("530 5.7.0 authentication required")
                else:
                    self.send(self.conf.get("mail", "250 2.1.0 ok"))
            elif verb == "RCPT":
                a = arg.split("<", 1)[-1].split(">")[0]
                self.send(self.conf.get("rcpt", {}).get(a, "250 2.1.5 ok"))
            elif verb == "DATA":
                r = self.conf.get("data", "354 go")
                self.send(r)
                if r.startswith("354"):
                    self.rec["data"] = self.data()
                    self.send(self.conf.get("final", "250 2.0.0 queued as X"))
                    self.rec["msgs"] += 1
                    self.rec["tokens"] += [l[6:] for l in
                                           self.rec["data"].split("\n")
                                           if l.startswith("token ")]
                    if self.rec["msgs"] == self.conf.get("drop_after"):
                        raise EOFError("dropped after %d" % self.rec["msgs"])
            elif verb == "QUIT":
                self.send("221 2.0.0 bye")
                return
            elif verb == "RSET" or verb == "NOOP":
                self.send("250 ok")
            else:
                self.send("502 5.5.2 unknown")


def reload(old):
    try:
        return json.load(open(CONFFILE))
    except (OSError, ValueError):
        return old  # half-written by the test: keep the last one


def serve(conn):
    s = Sess(conn)
    try:
        conn.settimeout(30)
        s.run()
    except (EOFError, OSError, ssl.SSLError, ValueError) as e:
        s.rec["error"] = str(e) or type(e).__name__
    finally:
        conn.close()
        with lock:
            with open(LOG, "a") as f:
                f.write(json.dumps(s.rec) + "\n")


def main():
    global accepted, CONF
    ls = socket.socket(socket.AF_INET6 if ":" in ADDR else socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ADDR, PORT))
    ls.listen(64)
    ls.settimeout(1)
    end = time.time() + min(int(CONF.get("lifetime", 120)), 900)
    while time.time() < end:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        accepted += 1
        try:
            CONF = json.load(open(CONFFILE))
        except (OSError, ValueError):
            pass  # half-written by the test: keep the last one
        with open(LOG + ".n", "w") as f:
            f.write("%d\n" % accepted)
        threading.Thread(target=serve, args=(c,), daemon=True).start()


main()
