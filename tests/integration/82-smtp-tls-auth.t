#!/bin/sh
# 82-smtp-tls-auth.t: quail-smtpd behind quail-tls: STARTTLS on a port-25
# style service, submission (quail-smtpd -s) with STARTTLS and with
# implicit TLS, AUTH PLAIN/LOGIN through quail-auth (swaks, python3
# smtplib, openssl s_client), pipelined plaintext after STARTTLS
# discarded, wrong passwords (535 after a delay, 421 after three), AUTH
# refused without TLS unless control/smtpauthplaintext, no relay without
# AUTH, the submission sender policy, Received: trace, uids, key modes.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
for c in tcpserver openssl swaks; do
	command -v $c >/dev/null || t_skip_all "$c missing"
done
W=$T_HOME/t
mkdir -p "$W/msgs" && chmod 755 "$W" && chmod 777 "$W/msgs"
cp "$QUAIL_SRC/tests/integration/82-smtp-tls-auth.py" "$W/c.py"
chmod 644 "$W/c.py"
quaild=$(sed -n 2p "$QUAIL_SRC/conf-users")
quailt=$(sed -n 7p "$QUAIL_SRC/conf-users")
py() { python3 "$W/c.py" "$@"; }
check() { # NAME CHECK PORT [ARGS]
	name=$1
	shift
	out=$(py "$@")
	t_is "$out" ok "$name"
}

# A self-signed certificate, as quail-ctl up makes it; root 0600.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$W/k.pem" -out "$W/c.pem" >/dev/null 2>&1 &&
    cat "$W/c.pem" "$W/k.pem" >"$T_HOME/ssl/servercert.pem"
t_ok $? "certificate made with openssl"
chmod 600 "$T_HOME/ssl/servercert.pem"
rm -f "$W/k.pem"

# Users: joe (yescrypt or SHA-512) and ann.
hash() {
	python3 -W ignore -c '
import ctypes, sys
l = ctypes.CDLL("libcrypt.so.1")
l.crypt_gensalt.restype = ctypes.c_char_p
l.crypt.restype = ctypes.c_char_p
print(l.crypt(sys.argv[1].encode(), l.crypt_gensalt(b"$6$", 0, None, 0)).decode())' "$1"
}
printf 'joe@mbox.example:%s:0:\nann@mbox.example:%s:0:\n' \
    "$(hash joe-secret-1)" "$(hash ann-secret-2)" >"$T_HOME/control/mailboxes"
echo mbox.example >>"$T_HOME/control/rcpthosts"
"$T_BIN/quail-ctl" compile >"$W/compile.log" 2>&1
t_ok $? "quail-ctl compile"

# A queue stand-in (QUAILQUEUE) keeping each message for inspection.
cat >"$W/qq" <<EOF
#!/bin/sh
n=\$\$
cat >"$W/msgs/m.\$n" && cat <&1 >"$W/msgs/e.\$n"
EOF
chmod 755 "$W/qq"

P25=$(t_port)
P587=$(t_port)
P465=$(t_port)
PPL=$(t_port)
serve() { # PORT LOG "TCPSERVER-OPTS" PROG...: tcpserver (root by default)
	p=$1 l=$2 o=$3
	shift 3
	env - PATH=/usr/bin:/bin QUAILQUEUE="$W/qq" \
	    tcpserver -q -H -R -l localhost $o 127.0.0.1 "$p" "$@" 2>"$W/$l" &
	T_PIDS="$T_PIDS $!"
}
serve "$P25" log25 "" "$T_BIN/quail-tls" -s -- "$T_BIN/quail-smtpd"
serve "$P587" log587 "" "$T_BIN/quail-tls" -s -- "$T_BIN/quail-smtpd" -s
serve "$P465" log465 "" "$T_BIN/quail-tls" -i -- "$T_BIN/quail-smtpd" -s
serve "$PPL" logpl "-u $(id -u "$quaild") -g $(id -g "$quaild")" \
    "$T_BIN/quail-smtpd"
t_wait_port "$P25" && t_wait_port "$P587" && t_wait_port "$P465" &&
    t_wait_port "$PPL"
t_ok $? "four services listening"

check "EHLO: STARTTLS offered, AUTH only under TLS (538 before)" ehlo "$P25"
check "pipelined command after STARTTLS is discarded" inject "$P25"
check "port 25 under TLS without AUTH: no relaying" norelay "$P25"
check "submission: 530 before AUTH, cancel, bad base64, sender policy" \
    submission "$P587"
check "python smtplib: starttls + login + relay on submission" \
    smtplib "$P587"
check "python smtplib: implicit TLS (465) + login" smtplib-ssl "$P465"
check "wrong password: 535 5.7.8 after quail-auth's delay" badpass "$P587"
check "three wrong passwords: 421 and close" toomany "$P465"
check "no TLS, no smtpauthplaintext: AUTH not offered (502)" \
    plainauth "$PPL" no

sw() { # the Subject: names the port
	swaks --server 127.0.0.1 --h-Subject "swaks $2" --timeout 15 \
	    --from joe@mbox.example "$@" >"$W/swaks.out" 2>&1
}
sw --port "$P25" --tls --to joe@mbox.example
t_ok $? "swaks --tls on the port-25 service"
sw --port "$P587" --tls --auth PLAIN --auth-user joe@mbox.example \
    --auth-password joe-secret-1 --to friend@remote.example
t_ok $? "swaks --tls --auth PLAIN on submission (relay)"
sw --port "$P587" --tls --auth LOGIN --auth-user joe@mbox.example \
    --auth-password joe-secret-1 --to friend@remote.example
t_ok $? "swaks --tls --auth LOGIN on submission"
sw --port "$P465" --tlsc --auth PLAIN --auth-user joe@mbox.example \
    --auth-password joe-secret-1 --to friend@remote.example
t_ok $? "swaks --tlsc (implicit TLS) --auth PLAIN"
sw --port "$P587" --tls --auth PLAIN --auth-user joe@mbox.example \
    --auth-password joe-secret-1 --from ann@mbox.example \
    --to friend@remote.example
grep -q '^<~\* 553 5.7.1' "$W/swaks.out"
t_ok $? "swaks: someone else's sender refused with 553 5.7.1"

echo QUIT | openssl s_client -starttls smtp -connect "127.0.0.1:$P25" \
    -quiet -verify_quiet >"$W/s1" 2>&1
grep -q '^221 ' "$W/s1"
t_ok $? "openssl s_client -starttls smtp (port-25 style)"
echo QUIT | openssl s_client -starttls smtp -connect "127.0.0.1:$P587" \
    -quiet -verify_quiet >"$W/s2" 2>&1
grep -q '^221 ' "$W/s2"
t_ok $? "openssl s_client -starttls smtp (587 style)"
printf 'EHLO x\r\nQUIT\r\n' | openssl s_client -connect "127.0.0.1:$P465" \
    -quiet -verify_quiet >"$W/s3" 2>&1
grep -q '^220 .*ESMTP' "$W/s3" && grep -q '^250-AUTH PLAIN LOGIN' "$W/s3" &&
    ! grep -q STARTTLS "$W/s3"
t_ok $? "openssl s_client implicit TLS (465 style): AUTH, no STARTTLS"

# Received: trace (RFC 3848) of what the queue stand-in got.
m25=$(grep -l "^Subject: swaks $P25\$" "$W"/msgs/m.* | head -1)
grep -q 'with ESMTPS id' "$m25" && grep -q '(using TLSv1\.[23] with cipher ' "$m25"
t_ok $? "Received: with ESMTPS and the TLS version and cipher"
m465=$(grep -l "^Subject: swaks $P465\$" "$W"/msgs/m.* | head -1)
grep -q 'with ESMTPSA id' "$m465" &&
    grep -q '(authenticated user joe@mbox.example)' "$m465"
t_ok $? "Received: with ESMTPSA and the authenticated user"
grep -q 'auth ok ip=127.0.0.1 user=joe@mbox.example' "$W/log587" &&
    grep -q 'auth failed ip=127.0.0.1 user=joe@mbox.example' "$W/log587"
t_ok $? "log: auth ok / auth failed with the user"
! grep -q -e joe-secret-1 -e wrong-password "$W"/log*
t_ok $? "passwords never logged"

# Uids: quail-tls as quailt, quail-smtpd as quaild while a session is up.
py hold "$P25" 3 >/dev/null &
hp=$!
sleep 1.5
ps -eo user:20,comm | awk '$2 == "quail-smtpd" || $2 == "quail-tls"' |
    sort -u >"$W/ps"
wait $hp
grep -q "^$quaild *quail-smtpd" "$W/ps" && grep -q "^$quailt *quail-tls" "$W/ps" &&
    ! grep -q '^root *quail-smtpd' "$W/ps"
t_ok $? "quail-smtpd runs as $quaild, quail-tls as $quailt"
t_diag "$(cat "$W/ps")"
setuidgid "$quaild" cat "$T_HOME/ssl/servercert.pem" >/dev/null 2>&1
t_is $? 1 "the key file is unreadable to $quaild"

echo yes >"$T_HOME/control/smtpauthplaintext"
check "control/smtpauthplaintext: AUTH LOGIN without TLS" plainauth "$PPL" yes
t_done
