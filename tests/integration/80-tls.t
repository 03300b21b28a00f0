#!/bin/sh
# 80-tls.t: quail-tls under tcpserver in front of a small python child
# (80-tls-child.py): implicit TLS, SNI, STARTTLS over the control
# descriptor, plaintext injection after STARTTLS (CVE-2011-0411 class),
# TLS 1.1 refused, uids of both processes, the key unreadable to quaild.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
command -v tcpserver >/dev/null || t_skip_all "tcpserver missing"
command -v openssl >/dev/null || t_skip_all "openssl missing"
W=$T_HOME/t
mkdir -p "$W" && chmod 755 "$W"
cp "$QUAIL_SRC/tests/integration/80-tls-child.py" "$W/child.py"
chmod 644 "$W/child.py"
quaild=$(sed -n 2p "$QUAIL_SRC/conf-users")
quailt=$(sed -n 7p "$QUAIL_SRC/conf-users")
nofiles=$(sed -n 10p "$QUAIL_SRC/conf-users")

# A test CA, a default certificate (localhost) and one for sni.example.
cd "$W" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=quail-test-ca \
    -keyout ca.key -out ca.pem >/dev/null 2>&1
mk() {
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" \
	    -out "$1.csr" >/dev/null 2>&1 &&
	    printf 'subjectAltName=DNS:%s\n' "$1" >"$1.ext" &&
	    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -extfile "$1.ext" -out "$1.crt" \
		>/dev/null 2>&1 &&
	    cat "$1.crt" ca.pem "$1.key" >"$2"
}
mk localhost "$T_HOME/ssl/servercert.pem"
t_ok $? "test certificates made with openssl"
mk sni.example "$T_HOME/ssl/sni.example.pem"
chmod 600 "$T_HOME"/ssl/*.pem

P1=$(t_port)
tcpserver -q -H -R -l localhost 127.0.0.1 "$P1" \
    "$T_BIN/quail-tls" -i -- python3 "$W/child.py" 2>"$W/log1" &
T_PIDS="$T_PIDS $!"
P2=$(t_port)
tcpserver -q -H -R -l localhost 127.0.0.1 "$P2" \
    "$T_BIN/quail-tls" -s -t 5 -- python3 "$W/child.py" 2>"$W/log2" &
T_PIDS="$T_PIDS $!"
t_wait_port "$P1" && t_wait_port "$P2"
t_ok $? "tcpserver with quail-tls -i and -s listening"

# client MODE PORT SNI SCRIPT: python client; prints what the test checks
client() {
	python3 - "$@" <<'PY'
import socket, ssl, sys
mode, port, sni, script = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile="ca.pem")
s = socket.create_connection(("127.0.0.1", port), 10)
s.settimeout(10)
f = None
def line():
    b = b""
    while not b.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            break
        b += c
    return b.decode().rstrip("\r\n")
def cmd(c):
    s.sendall(c.encode() + b"\r\n")
    return line()
try:
    if mode == "implicit":
        s = ctx.wrap_socket(s, server_hostname=sni)
        print("CN", dict(x[0] for x in s.getpeercert()["subject"])["commonName"])
        print("V", s.version())
    print("G", line())
    if script == "inject":
        s.sendall(b"STARTTLS\r\nNOOP\r\n")
        print("R", line())
        s = ctx.wrap_socket(s, server_hostname=sni)
        print("V", s.version())
    elif script == "late":
        s.sendall(b"STARTTLS\r\n")
        print("R", line())
        s.sendall(b"NOOP\r\n")
        try:
            s = ctx.wrap_socket(s, server_hostname=sni)
            print("V", s.version())
        except (ssl.SSLError, OSError) as e:
            print("HSFAIL")
            sys.exit(0)
    print("I", cmd("INFO"))
    print("D", cmd("ID"))
    print("H", cmd("HIST"))
    print("Q", cmd("QUIT"))
except (ssl.SSLError, OSError) as e:
    print("ERR", e)
PY
}

out=$(client implicit "$P1" localhost plain)
echo "$out" | grep -qx 'CN localhost'
t_ok $? "implicit: default certificate (CN=localhost), verified by the test CA"
echo "$out" | grep -qx 'G 220 test ready implicit'
t_ok $? "implicit: the child's greeting arrives through TLS"
echo "$out" | grep -Eq '^I 250 OK TLSv1\.3 TLS_[A-Z0-9_]+ -$'
t_ok $? "implicit: control answer OK <version> <cipher> - before client data"
uid_d=$(id -u "$quaild")
uid_t=$(id -u "$quailt")
gid_n=$(getent group "$nofiles" | cut -d: -f3)
t_is "$(echo "$out" | sed -n 's/^D 250 //p')" \
    "uid=$uid_d gid=$gid_n parent=$uid_t" \
    "child runs as quaild:nofiles, quail-tls as quailt"
echo "$out" | grep -qx 'Q 221 bye'
t_ok $? "implicit: QUIT answered, session ends"

out=$(client implicit "$P1" sni.example plain)
echo "$out" | grep -qx 'CN sni.example'
t_ok $? "SNI sni.example selects ssl/sni.example.pem"
out=$(client implicit "$P1" SNI.Example plain)
echo "$out" | grep -qx 'CN sni.example'
t_ok $? "SNI is matched without regard to case"

out=$(printf 'hello\r\nQUIT\r\n' | timeout 20 openssl s_client -quiet \
    -connect 127.0.0.1:"$P1" -CAfile ca.pem -servername localhost 2>/dev/null)
echo "$out" | grep -q '^221 bye'
t_ok $? "openssl s_client through implicit TLS"
timeout 20 openssl s_client -connect 127.0.0.1:"$P1" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0' </dev/null >"$W/s11" 2>&1
grep -q 'Cipher is (NONE)\|alert\|no protocols' "$W/s11" &&
    ! grep -q '^220' "$W/s11"
t_ok $? "TLS 1.1 refused"
printf 'QUIT\r\n' | timeout 20 openssl s_client -quiet -tls1_2 \
    -connect 127.0.0.1:"$P1" -CAfile ca.pem 2>/dev/null | grep -q '^221'
t_ok $? "TLS 1.2 accepted"

out=$(client starttls "$P2" localhost inject)
echo "$out" | grep -qx 'G 220 test ready starttls'
t_ok $? "starttls: plaintext greeting"
echo "$out" | grep -qx 'R 220 go ahead'
t_ok $? "starttls: the reply carried on the control line reaches the client"
echo "$out" | grep -Eq '^I 250 OK TLSv1\.3 TLS_[A-Z0-9_]+ -$'
t_ok $? "starttls: child learns version and cipher"
t_is "$(echo "$out" | sed -n 's/^H 250 //p')" "STARTTLS|INFO|ID|HIST" \
    "injection: NOOP pipelined after STARTTLS never reaches the child"
t_is "$(echo "$out" | sed -n 's/^D 250 //p')" \
    "uid=$uid_d gid=$gid_n parent=$uid_t" "starttls: uids after the handshake"
sleep 0.3
grep -Eq "starttls TLSv1.3 TLS_[A-Z0-9_]+ sni=localhost in=[0-9]+ out=[0-9]+ discarded=[0-9]+ end=ok" "$W/log2"
t_ok $? "one log line per connection: mode, version, cipher, SNI"

out=$(client starttls "$P2" localhost late)
echo "$out" | grep -qx 'HSFAIL'
t_ok $? "plaintext after the STARTTLS reply: handshake fails, session ends"

out=$(setpriv --reuid="$quaild" --regid="$nofiles" --clear-groups \
    cat "$T_HOME/ssl/servercert.pem" 2>&1)
t_ok $((! $?)) "quaild cannot read the key file"
out=$(setpriv --reuid="$quailt" --regid="$nofiles" --clear-groups \
    cat "$T_HOME/ssl/servercert.pem" 2>&1)
t_ok $((! $?)) "quailt cannot read the key file either (only root, then memory)"

"$T_BIN/quail-tls" -x >/dev/null 2>&1
t_is $? 100 "usage error exits 100"
t_done
