#!/bin/sh
# 95-remote.t: quail-remote and quail-rspawn against a scriptable fake SMTP
# peer on 127.0.0.1 (95-remote-peer.py): pipelining, HELO fallback,
# per-recipient results, 4xx/5xx mapping, a connection lost in DATA, SIZE,
# SMTPUTF8, smtproutes host:port and .suffix, STARTTLS (test CA, verify,
# require, fallback after a failed handshake), AUTH to a relay,
# quail-rspawn batching recipients of one message into one transaction,
# and its kept sessions: 10 messages over 1-2 connections, a peer that
# drops the connection after 3 messages, a loss in DATA, the idle QUIT.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v openssl >/dev/null || t_skip_all "openssl missing"
t_home
PEER=$QUAIL_SRC/tests/integration/95-remote-peer.py
W=$T_HOME/t
mkdir -p "$W"
C=$T_HOME/control

# The message as the queue stores it: LF line ends; a line starting
# with '.' must go out dot-stuffed; one 8-bit byte (UTF-8 e-acute).
printf 'Subject: test\n\nline one\n.dot line\ncaf\303\251\nlast' >"$W/msg"

NPEER=0
# peer CONFIG-JSON: starts a peer, sets PORT and LOG
peer() {
	NPEER=$((NPEER + 1))
	PORT=$(t_port)
	LOG=$W/peer$NPEER.log
	printf '%s\n' "$1" >"$W/peer$NPEER.json"
	: >"$LOG"
	t_bg python3 "$PEER" "$PORT" "$W/peer$NPEER.json" "$LOG"
	t_wait_port "$PORT"
}

route() {
	printf '%s\n' "$@" >"$C/smtproutes"
	"$T_BIN/quail-ctl" compile >/dev/null 2>&1
}

# remote DOMAIN SENDER RCPT...: results one per line in $W/out
remote() {
	"$T_BIN/quail-remote" "$@" <"$W/msg" 2>"$W/err" | tr '\0' '\n' >"$W/out"
}

# q PYTHON-EXPR: evaluated with s = the list of session records in $LOG,
# once every session the peer accepted has its record (bounded wait)
q() {
	python3 -c 'import json,sys,time
for i in range(100):
    s=[json.loads(l) for l in open(sys.argv[1]) if l.strip()]
    try:
        n=int(open(sys.argv[1]+".n").read())
    except (OSError, ValueError):
        n=0
    if len(s) >= n:
        break
    time.sleep(0.1)
s=[x for x in s if x["cmds"]]  # drop the t_wait_port probe
print(eval(sys.argv[2]))' "$LOG" "$1"
}

# ---- plain delivery with PIPELINING, SIZE, 8BITMIME
peer '{"ehlo": ["PIPELINING", "8BITMIME", "SIZE 100000"]}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test 'from@here.test' a@remote.test b@remote.test
t_is "$(cut -c1 "$W/out" | tr -d '\n')" KK "two recipients delivered"
grep -q "^K.*127.0.0.1 \[127.0.0.1\] said: 250 2.0.0 queued" "$W/out"
t_ok $? "result carries the peer's text"
t_is "$(q 'len(s)')" 1 "one session"
t_is "$(q 's[0]["pipelined"]')" True "client pipelined MAIL/RCPT/DATA"
t_is "$(q '[c for c in s[0]["cmds"] if c.startswith("MAIL")][0]')" \
    "MAIL FROM:<from@here.test> SIZE=54 BODY=8BITMIME" "SIZE= and BODY=8BITMIME"
t_is "$(q 'len([c for c in s[0]["cmds"] if c.startswith("RCPT")])')" 2 \
    "both RCPTs in one transaction"
t_is "$(q 's[0]["data"].split(chr(10))[3]')" "..dot line" "dot-stuffed"
t_is "$(q 's[0]["data"].split(chr(10))[-1]')" "last" "last line ended"
t_is "$(q 's[0]["cmds"][-1]')" QUIT "QUIT at the end"

# ---- HELO fallback, no pipelining, mixed per-recipient replies
peer '{"no_ehlo": true, "rcpt": {"later@remote.test": "451 4.2.0 try later", "bad@remote.test": "550 5.1.1 no such user"}}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test '' good@remote.test later@remote.test bad@remote.test
t_is "$(cut -c1 "$W/out" | tr -d '\n')" KZD "mixed replies: K Z D"
t_is "$(sed -n 3p "$W/out")" \
    "D5.1.1 127.0.0.1 [127.0.0.1] said: 550 5.1.1 no such user" \
    "550 text with its enhanced code first"
t_is "$(q '"HELO" in s[0]["cmds"][1] and not s[0]["pipelined"]')" True \
    "HELO after refused EHLO, no pipelining"
t_is "$(q '[c for c in s[0]["cmds"] if c.startswith("MAIL")][0]')" \
    "MAIL FROM:<>" "null sender, no ESMTP parameters"

# ---- 451 to MAIL: all Z; 550 after DATA: all D
peer '{"ehlo": ["PIPELINING"], "mail": "451 4.3.0 busy"}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test a@remote.test b@remote.test
t_is "$(cut -c1 "$W/out" | tr -d '\n')" ZZ "451 to MAIL: retry"
peer '{"final": "554 5.6.0 content rejected"}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test a@remote.test
t_is "$(cat "$W/out")" \
    "D5.6.0 127.0.0.1 [127.0.0.1] said: 554 5.6.0 content rejected" \
    "5xx after DATA: bounce"

# ---- connection lost in DATA: retry
peer '{"ehlo": ["PIPELINING"], "drop_in_data": true}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test a@remote.test
grep -q "^Z4.4.2 .*connection lost during DATA" "$W/out"
t_ok $? "connection lost in DATA: Z"

# ---- SIZE too small, SMTPUTF8 missing: permanent, nothing sent
peer '{"ehlo": ["SIZE 20"]}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test a@remote.test
grep -q "^D5.3.4 message is 54 bytes" "$W/out"
t_ok $? "SIZE: refused locally"
t_is "$(q 'any(c.startswith("MAIL") for c in s[0]["cmds"])')" False \
    "no MAIL after a SIZE refusal"
peer '{"ehlo": ["8BITMIME"]}'
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test "$(printf 'j\303\274rgen@remote.test')"
grep -q "^D5.6.7 " "$W/out"
t_ok $? "UTF-8 address to a peer without SMTPUTF8: D"

# ---- smtproutes: .suffix and the default route; nothing listening
peer '{}'
route ".remote.test:127.0.0.1:$PORT" ":127.0.0.1:1"
remote sub.remote.test s@here.test x@sub.remote.test
t_is "$(cut -c1 "$W/out")" K ".suffix route"
remote other.test s@here.test x@other.test
grep -q "^Z4.4.1 127.0.0.1 \[127.0.0.1\]: unable to connect: Connection refused" "$W/out"
t_ok $? "default route, refused connection: Z"

# ---- STARTTLS with a test CA
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \
    -keyout "$W/ca.key" -out "$W/ca.pem" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout "$W/srv.key" -out "$W/srv.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' >"$W/ext"
openssl x509 -req -in "$W/srv.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" \
    -CAcreateserial -days 2 -extfile "$W/ext" -out "$W/srv.pem" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \
    -keyout "$W/ca2.key" -out "$W/ca2.pem" >/dev/null 2>&1
TLS="\"tls\": {\"cert\": \"$W/srv.pem\", \"key\": \"$W/srv.key\"}"

peer "{\"ehlo\": [\"PIPELINING\"], $TLS}"
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test a@remote.test
t_is "$(cut -c1 "$W/out")$(q 's[0]["tls"]')" KTrue "opportunistic STARTTLS"
printf 'remote.test:verify\n' >"$C/tlsdestinations"
cp "$W/ca.pem" "$C/tlsca"
remote remote.test s@here.test a@remote.test
t_is "$(cut -c1 "$W/out")$(q 's[-1]["tls"]')" KTrue "verified against the test CA"
cp "$W/ca2.pem" "$C/tlsca"
remote remote.test s@here.test a@remote.test
grep -q "^Z.*certificate verification failed" "$W/out"
t_ok $? "verify with the wrong CA: Z"
t_is "$(q 'any(c.startswith("MAIL") for c in s[-1]["cmds"])')" False \
    "no MAIL after a failed verification"
rm -f "$C/tlsca"

peer '{}'
route "remote.test:127.0.0.1:$PORT"
printf '.test:require\n' >"$C/tlsdestinations"
remote remote.test s@here.test a@remote.test
grep -q "^Z.*TLS required but not offered" "$W/out"
t_ok $? "required TLS refuses a plaintext peer"
t_is "$(q 'any(c.startswith("MAIL") for c in s[0]["cmds"])')" False \
    "nothing sent to the plaintext peer"
rm -f "$C/tlsdestinations"

peer "{$TLS, \"tls_break\": true}"
route "remote.test:127.0.0.1:$PORT"
remote remote.test s@here.test a@remote.test
t_is "$(cut -c1 "$W/out")$(q 'len(s)')$(q 's[1]["tls"]')" K2False \
    "failed handshake: delivered again without TLS"

# ---- AUTH to a relay (credentials only over TLS)
peer "{\"ehlo\": [\"AUTH LOGIN PLAIN\"], \"auth\": \"joe:s3cr:et\", $TLS}"
route ":127.0.0.1:$PORT"
printf '127.0.0.1:joe:s3cr:et\n' >"$C/relayauth"
remote far.test s@here.test a@far.test
t_is "$(cut -c1 "$W/out")$(q 's[0]["auth"]')$(q 's[0]["tls"]')" \
    "Kjoe:s3cr:etTrue" "AUTH PLAIN over TLS to the relay"
printf '127.0.0.1:joe:wrong\n' >"$C/relayauth"
remote far.test s@here.test a@far.test
grep -q "^Z.*535 5.7.8" "$W/out"
t_ok $? "refused credentials: Z with the relay's text"
rm -f "$C/relayauth"

# ---- quail-rspawn: one transaction for two requests of one message
peer '{"ehlo": ["PIPELINING"], "rcpt": {"no@remote.test": "550 5.1.1 unknown"}}'
route "remote.test:127.0.0.1:$PORT"
ID=12345abc
mkdir -p "$T_HOME/queue/mess/7"
{ printf 'I%s\0Fs@here.test\0Ta@remote.test\0\0' $ID; cat "$W/msg"; } \
    >"$T_HOME/queue/mess/7/$ID"
chown quailq:quail "$T_HOME/queue/mess/7/$ID"
chmod 640 "$T_HOME/queue/mess/7/$ID"
OFF=$(printf 'I%s\0Fs@here.test\0Ta@remote.test\0\0' $ID | wc -c)
python3 - "$T_BIN" "$OFF" "$ID" >"$W/rs" 2>"$W/rs.err" <<'PY'
import os, subprocess, sys
bin_, off, qid = sys.argv[1:4]
def ns(b):
    return str(len(b)).encode() + b":" + b + b","
def req(slot, rcpt):
    f = [str(slot), qid, "mess/7/" + qid, off, "s@here.test", rcpt, ""]
    return ns(b"".join(x.encode() + b"\0" for x in f))
p = subprocess.Popen(["setuidgid", "quailr", bin_ + "/quail-rspawn"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(req(3, "a@remote.test") + req(9, "no@remote.test") +
              req(4, "b@REMOTE.test"))
p.stdin.close()
out = p.stdout.read()
p.wait(timeout=60)
reps = []
while out:
    n, rest = out.split(b":", 1)
    n = int(n)
    reps.append(rest[:n].decode())
    out = rest[n + 1:]
for r in sorted(reps):
    slot, rest = r.split("\0")
    print(slot, rest[:1], rest[1:])
print("exit", p.returncode)
PY
t_is "$(cut -d' ' -f1,2 "$W/rs" | tr '\n' ,)" "3 K,4 K,9 D,exit 0," \
    "rspawn: one reply per slot, exit 0 at EOF"
t_is "$(q 'len(s)')" 1 "rspawn: one SMTP session for the message"
t_is "$(q 'len([c for c in s[0]["cmds"] if c.startswith("RCPT")])')" 3 \
    "rspawn: three RCPTs in one transaction"
grep -q "^9 D 5.1.1 127.0.0.1 \[127.0.0.1\] said: 550 5.1.1 unknown" "$W/rs"
t_ok $? "rspawn: the peer's text in the reply"
grep -q "quail-rspawn: info: $ID slot 9 no@remote.test: D" "$W/rs.err"
t_ok $? "rspawn: log line per delivery"

# ---- quail-rspawn: sessions kept per destination (quail-remote -s)
# rsdrive.py BIN MESSAGES IDLE: sends one request per queued message
# (mess/7/<id>, one recipient each) at once, prints "SLOT STATUS TEXT" per
# reply; with IDLE = 1 it then keeps the request pipe open until the
# peer logged a finished session (bounded) and prints "idle-end True"
# when that happened while quail-rspawn still had its input open.
cat >"$W/rsdrive.py" <<'PY'
import json, os, subprocess, sys, time
bin_, n, idle, log = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
def ns(b):
    return str(len(b)).encode() + b":" + b + b","
reqs = b""
for i in range(n):
    qid = "rp%04d" % i
    off = len(b"I%s\0Fs@here.test\0Tr@remote.test\0\0" % qid.encode())
    f = [str(i), qid, "mess/7/" + qid, str(off), "s@here.test",
         "r%d@remote.test" % i, ""]
    reqs += ns(b"".join(x.encode() + b"\0" for x in f))
p = subprocess.Popen(["setuidgid", "quailr", bin_ + "/quail-rspawn"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(reqs)
p.stdin.flush()
buf, reps = b"", []
while len(reps) < n:
    d = os.read(p.stdout.fileno(), 65536)
    if not d:
        break
    buf += d
    while b":" in buf:
        k, rest = buf.split(b":", 1)
        if len(rest) < int(k) + 1:
            break
        reps.append(rest[:int(k)].decode())
        buf = rest[int(k) + 1:]
for r in sorted(reps, key=lambda x: int(x.split("\0")[0])):
    slot, rest = r.split("\0")
    print(slot, rest[:1], rest[1:])
if idle:
    ended = False
    for _ in range(200):
        recs = [json.loads(l) for l in open(log) if l.strip()]
        if any(x["msgs"] for x in recs):
            ended = p.poll() is None
            break
        time.sleep(0.1)
    print("idle-end", ended)
p.stdin.close()
p.stdout.read()
p.wait(timeout=60)
print("exit", p.returncode)
PY
# mkmsgs N: queued messages rp0000.. with "token tN" bodies
mkmsgs() {
	mkdir -p "$T_HOME/queue/mess/7"
	i=0
	while [ $i -lt "$1" ]; do
		id=$(printf 'rp%04d' $i)
		{ printf 'I%s\0Fs@here.test\0Tr@remote.test\0\0' "$id"
		  printf 'Subject: %s\n\ntoken t%s\n' "$id" $i; } \
		    >"$T_HOME/queue/mess/7/$id"
		chown quailq:quail "$T_HOME/queue/mess/7/$id"
		chmod 640 "$T_HOME/queue/mess/7/$id"
		i=$((i + 1))
	done
}
# rsrun N IDLE: quail-rspawn over N messages; replies in $W/rs
rsrun() {
	python3 "$W/rsdrive.py" "$T_BIN" "$1" "$2" "$LOG" >"$W/rs" 2>"$W/rs.err"
}
allk() { # N: every one of N replies is K, exit 0
	[ "$(grep -c '^[0-9]* K ' "$W/rs")" = "$1" ] && grep -qx 'exit 0' "$W/rs"
}
mkmsgs 10

peer '{"ehlo": ["PIPELINING"]}'
route "remote.test:127.0.0.1:$PORT"
echo 2 >"$C/concurrencyperdomain"
rsrun 10 0
allk 10
t_ok $? "reuse: 10 messages to one destination delivered"
t_is "$(q '1 <= len(s) <= 2')" True \
    "reuse: at most concurrencyperdomain (2) connections ($(q 'len(s)'))"
t_is "$(q 'sum(x["msgs"] for x in s)')" 10 "reuse: 10 messages over them"
t_is "$(q 'sorted(t for x in s for t in x["tokens"]) == sorted("t%d" % i for i in range(10))')" \
    True "reuse: each message's own body"
t_is "$(q 'all(x["cmds"].count("RSET") == x["msgs"] - 1 for x in s)')" True \
    "reuse: RSET before every further transaction"
t_is "$(q 'all(x["cmds"][-1] == "QUIT" for x in s)')" True \
    "reuse: QUIT at the end of each session"

peer '{"ehlo": ["PIPELINING"], "drop_after": 3}'
route "remote.test:127.0.0.1:$PORT"
echo 1 >"$C/concurrencyperdomain"
rsrun 10 0
allk 10
t_ok $? "peer dropping the connection after 3 messages: all 10 delivered"
t_is "$(q 'len(s)')-$(q 'sum(x["msgs"] for x in s)')" 4-10 \
    "dropped: a fresh connection after each drop (3+3+3+1)"
t_is "$(q 'sorted(t for x in s for t in x["tokens"]) == sorted("t%d" % i for i in range(10))')" \
    True "dropped: every message once"

peer '{"ehlo": ["PIPELINING"], "drop_in_data": true, "lifetime": 60}'
route "remote.test:127.0.0.1:$PORT"
rsrun 3 0
t_is "$(grep -c '^[0-9]* Z 4.4.2 .*connection lost during DATA' "$W/rs")" 3 \
    "connection lost in DATA on every session: Z for each message"
t_is "$(q 'len(s)')" 3 "a fresh connection for each message after a loss"

peer '{"ehlo": ["PIPELINING"]}'
route "remote.test:127.0.0.1:$PORT"
rsrun 1 1
t_is "$(grep -c '^0 K ' "$W/rs")$(grep 'idle-end' "$W/rs")" "1idle-end True" \
    "idle session closed by quail-rspawn while its input is still open"
t_is "$(q 's[0]["cmds"][-1]')" QUIT "idle timeout: QUIT seen"
rm -f "$C/concurrencyperdomain"

t_done
