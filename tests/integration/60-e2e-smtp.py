#!/usr/bin/env python3
# 60-e2e-smtp.py PORT: an SMTP client for the end-to-end tests.  Reads
# one message a line on stdin,
#     SENDER|RCPT[,RCPT...]|SUBJECT|BODYBYTES
# (SENDER "-" is <>) and sends each in its own session to 127.0.0.1:PORT.
# Prints, per message, "SUBJECT RCPT CODE TEXT" for every RCPT and
# "SUBJECT DATA CODE TEXT" (DATA is "-" when no recipient was accepted).
# The body's first line, "token SUBJECT", matches a delivered file to its
# message; the body is padded to BODYBYTES with 'x' lines.  A subject
# containing "mbox" adds a body line starting with "From ".
# Bounded: 20 s timeout on every socket operation.
import smtplib
import sys


def body(subject, size):
    head = "From: e2e <e2e@test.invalid>\r\nSubject: %s\r\n" % subject
    head += "Message-ID: <%s@e2e.test>\r\n\r\n" % subject
    text = "token %s\r\n" % subject
    if "mbox" in subject:  # a line an mbox writer must quote
        text += "From the start, quoted\r\n"
    while len(head) + len(text) < size:
        text += "x" * 70 + "\r\n"
    return (head + text).encode()


def one(port, sender, rcpts, subject, size):
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    try:
        s.ehlo("e2e.test")
        code, text = s.mail("" if sender == "-" else sender)
        if code != 250:
            print(subject, "MAIL", code, text.decode(errors="replace"))
            return
        good = 0
        for r in rcpts:
            code, text = s.rcpt(r)
            print(subject, r, code, text.decode(errors="replace"))
            good += code == 250
        if good == 0:
            print(subject, "DATA - no recipient")
            s.rset()
            return
        code, text = s.data(body(subject, size))
        print(subject, "DATA", code, text.decode(errors="replace"))
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            s.close()


def main():
    port = int(sys.argv[1])
    for line in sys.stdin.read().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        sender, rcpts, subject, size = line.split("|")
        try:
            one(port, sender, rcpts.split(","), subject, int(size))
        except (OSError, smtplib.SMTPException) as e:
            print(subject, "ERROR", repr(e))
        sys.stdout.flush()


main()
