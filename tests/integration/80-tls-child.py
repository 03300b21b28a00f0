# 80-tls-child.py: a tiny line protocol behind quail-tls, for 80-tls.t.
# Speaks the control-descriptor protocol of quail-tls(8) as a careful
# child must: on STARTTLS it drops its own input buffer and takes the
# new fd 0 it receives with the OK answer.
#   STARTTLS  ask quail-tls for the handshake (after a pause, so that
#             anything the client pipelined has surely been relayed)
#   INFO      250 <the control answer>
#   ID        250 uid=U gid=G parent=<uid of quail-tls>
#   HIST      250 every line received, joined with "|"
#   QUIT      221, exit
import os
import socket
import time

ctl = socket.socket(fileno=int(os.environ["QUAIL_TLSFD"]))
buf = b""
hist = []
info = None


def out(s):
    os.write(1, (s + "\r\n").encode())


def readline():
    global buf
    while b"\n" not in buf:
        d = os.read(0, 4096)
        if not d:
            return None
        buf += d
    line, buf = buf.split(b"\n", 1)
    return line.rstrip(b"\r").decode("latin1")


def parent_uid():
    with open("/proc/%d/status" % os.getppid()) as f:
        for line in f:
            if line.startswith("Uid:"):
                return line.split()[1]
    return "?"


out("220 test ready " + os.environ.get("QUAIL_TLS", "-"))
while True:
    line = readline()
    if line is None:
        break
    hist.append(line)
    cmd = line.upper()
    if cmd == "STARTTLS":
        time.sleep(0.5)
        ctl.sendall(b"STARTTLS 220 go ahead\r\n")
        msg, fds, _, _ = socket.recv_fds(ctl, 1024, 1)
        buf = b""
        for fd in fds:
            os.dup2(fd, 0)
            os.close(fd)
        info = msg.decode().strip()
        if not info.startswith("OK "):
            break
    elif cmd == "INFO":
        if info is None:
            info = ctl.recv(1024).decode().strip()
        out("250 " + info)
    elif cmd == "ID":
        out("250 uid=%d gid=%d parent=%s" % (os.getuid(), os.getgid(),
                                             parent_uid()))
    elif cmd == "HIST":
        out("250 " + "|".join(hist))
    elif cmd == "QUIT":
        out("221 bye")
        break
    else:
        out("250 ok")
