#!/bin/sh
# 96-remote-dns.t: quail-remote's MX routing against a real DNS server
# (dnsmasq from Debian, in the foreground, on 127.0.0.1:5300, pointed at
# with control/dnsserver), all inside a private network namespace
# (unshare -n) so that fake SMTP peers can listen on port 25 of several
# loopback addresses and ::1 without touching the host: preference order
# and the next MX after a refused connection, a 421 greeting and a name
# without address; CNAME; implicit MX from A and AAAA; null MX (RFC 7505)
# and NXDOMAIN -> D; SERVFAIL and a DNS timeout -> Z; a truncated UDP
# answer asked again over TCP; more MX records than quail-remote tries.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_need_root
command -v dnsmasq >/dev/null || t_skip_all "dnsmasq missing (dnsmasq-base)"
if [ -z "$T_NETNS" ]; then
	unshare -n -m true 2>/dev/null || t_skip_all "unshare -n -m not permitted"
	T_NETNS=1 exec unshare -n -m sh "$0" "$@"
fi
ip link set lo up || t_skip_all "cannot bring lo up in the namespace"
t_home
PEER=$QUAIL_SRC/tests/integration/95-remote-peer.py
W=$T_HOME/t
mkdir -p "$W"
C=$T_HOME/control
printf 'Subject: dns\n\nhello\n' >"$W/msg"
HAVE6=0
python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' \
    2>/dev/null && HAVE6=1

# wait_on ADDR PORT: bounded wait until something listens there
wait_on() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
a, p = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in a else socket.AF_INET
for _ in range(100):
    s = socket.socket(fam)
    s.settimeout(0.2)
    try:
        s.connect((a, p))
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
    finally:
        s.close()
sys.exit(1)
PY
}

# peer NAME ADDR [CONFIG-JSON]: a fake SMTP server on ADDR port 25,
# logging sessions into $W/NAME.log
peer() {
	printf '%s\n' "${3:-{\}}" >"$W/$1.json"
	: >"$W/$1.log"
	t_bg python3 "$PEER" 25 "$W/$1.json" "$W/$1.log" "$2"
	wait_on "$2" 25 || echo "# peer $1 on $2 did not start"
}

# sessions NAME: number of sessions after the start-up probe
sessions() {
	echo $(($(grep -c . "$W/$1.log") - 1))
}

# settle NAME...: wait (bounded) until each peer logged every session
settle() {
	for p in "$@"; do
		i=0
		while [ $i -lt 50 ]; do
			n=$(cat "$W/$p.log.n" 2>/dev/null || echo 0)
			[ "$(grep -c . "$W/$p.log")" -ge "$n" ] && break
			sleep 0.1
			i=$((i + 1))
		done
	done
}

# remote DOMAIN RCPT: the result line in $W/out, log in $W/err
remote() {
	"$T_BIN/quail-remote" "$1" s@here.test "$2" <"$W/msg" 2>"$W/err" |
	    tr '\0' '\n' >"$W/out"
}

# ---- the zone
{
	echo "--mx-host=pref.test,mx5.pref.test,50"
	echo "--mx-host=pref.test,mx4.pref.test,40"
	echo "--mx-host=pref.test,mx3.pref.test,30"
	echo "--mx-host=pref.test,mx2.pref.test,20"
	echo "--mx-host=pref.test,ghost.pref.test,15"
	echo "--mx-host=pref.test,mx1.pref.test,10"
	echo "--host-record=mx1.pref.test,127.0.0.2"
	echo "--host-record=mx2.pref.test,127.0.0.3"
	echo "--host-record=mx3.pref.test,127.0.0.4"
	echo "--host-record=mx4.pref.test,127.0.0.5"
	echo "--host-record=mx5.pref.test,127.0.0.5"
	echo "--host-record=real.test,127.0.0.4"
	echo "--cname=alias.test,real.test"
	echo "--mx-host=mxalias.test,alias.test,10"
	echo "--mx-host=cname.test,mx3.pref.test,10"
	echo "--cname=cmx.test,cname.test"
	echo "--host-record=implicit.test,127.0.0.4"
	echo "--dns-rr=nullmx.test,15,000000"
	echo "--mx-host=gone.test,ghost1.gone.test,10"
	echo "--mx-host=gone.test,ghost2.gone.test,20"
	echo "--mx-host=badmx.test,x.servfail.test,10"
	echo "--server=/servfail.test/127.0.0.1#5301"
	echo "--server=/slow.test/127.0.0.1#9"
	if [ $HAVE6 = 1 ]; then
		echo "--mx-host=six.test,mx.six.test,10"
		echo "--host-record=mx.six.test,::1"
		echo "--host-record=implicit6.test,::1"
	fi
	# 30 MX records with long names (an answer of several KB, truncated
	# over UDP); the only working one, preference 1, in the middle
	i=10
	while [ $i -lt 40 ]; do
		[ $i = 30 ] && echo "--mx-host=big.test,good.big.test,1"
		echo "--mx-host=big.test,mx$i.a-rather-long-label-to-make-the-answer-large.big.test,$((i + 10))"
		i=$((i + 1))
	done
	echo "--host-record=good.big.test,127.0.0.4"
} >"$W/dnsmasq.conf"
sed 's/^--//' "$W/dnsmasq.conf" >"$W/dnsmasq.conf2"
# a name server that answers every query with SERVFAIL (dnsmasq's
# upstream for servfail.test)
t_bg python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 5301))
s.settimeout(1)
end = time.time() + 120
while time.time() < end:
    try:
        m, a = s.recvfrom(4096)
    except socket.timeout:
        continue
    if len(m) < 12:
        continue
    fl = 0x8000 | (m[2] & 1) << 8 | 0x80 | 2
    s.sendto(m[:2] + bytes([fl >> 8, fl & 255]) + m[4:6] + bytes(6) + m[12:], a)'
t_bg dnsmasq --no-daemon --conf-file="$W/dnsmasq.conf2" --port=5300 \
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
    --local=/test/ --pid-file="$W/dnsmasq.pid" --user=root \
    --log-queries 2>"$W/dnsmasq.log"
wait_on 127.0.0.1 5300 || {
	echo "Bail out! dnsmasq did not start"
	sed 's/^/# /' "$W/dnsmasq.log"
	exit 1
}
echo 127.0.0.1:5300 >"$C/dnsserver"
# resolv.conf names an IPv6 server (nothing there): control/dnsserver
# must replace it (glibc keeps IPv6 servers apart from nsaddr_list);
# the bind mount exists only in this test's mount namespace
printf 'nameserver ::1\nnameserver 127.0.0.1\n' >"$W/resolv.conf"
mount --bind "$W/resolv.conf" /etc/resolv.conf ||
    echo "# could not replace resolv.conf"

# ---- the peers: mx1 (127.0.0.2) has none (connection refused)
peer mx2 127.0.0.3 '{"greeting": "421 4.3.2 mx2 is busy"}'
peer mx3 127.0.0.4
peer mx45 127.0.0.5

# ---- preference order, the next MX after each kind of failure
remote pref.test a@pref.test
cp "$W/err" "$W/err.pref"
t_is "$(cut -c1-60 "$W/out")" \
    "K2.0.0 mx3.pref.test [127.0.0.4] said: 250 2.0.0 queued as X" \
    "lowest preference first; delivered by the first MX that works"
settle mx2 mx3 mx45
t_is "$(sessions mx2)$(sessions mx3)$(sessions mx45)" 110 \
    "421 greeting at mx2 -> mx3; mx4/mx5 not tried"
grep -q "mx1.pref.test \[127.0.0.2\]: unable to connect" "$W/err.pref"
t_ok $? "refused connection at mx1 (preference 10) logged"
o1=$(grep -n 'mx1.pref.test' "$W/err.pref" | head -1 | cut -d: -f1)
o2=$(grep -n 'ghost.pref.test' "$W/err.pref" | head -1 | cut -d: -f1)
o3=$(grep -n 'mx2.pref.test' "$W/err.pref" | head -1 | cut -d: -f1)
[ -n "$o1" ] && [ -n "$o2" ] && [ -n "$o3" ] && [ "$o1" -lt "$o2" ] &&
    [ "$o2" -lt "$o3" ]
rc=$?
t_ok $rc "tried in order 10, 15 (no address), 20"
[ $rc = 0 ] || sed 's/^/# /' "$W/err.pref"

# ---- every MX fails: temporary, with the last host's text
printf '{"greeting": "421 4.3.2 mx3 is busy"}\n' >"$W/mx3.json"
printf '{"greeting": "554 5.3.2 mx45 says no"}\n' >"$W/mx45.json"
remote pref.test a@pref.test
grep -q "^Z4.4.1 .*mx5.pref.test \[127.0.0.5\] said: 554 5.3.2 mx45 says no" \
    "$W/out"
t_ok $? "all MX hosts refuse: Z with the last host's reply"
printf '{}\n' >"$W/mx3.json"
printf '{}\n' >"$W/mx45.json"

# ---- CNAMEs
remote cmx.test a@cmx.test
grep -q "^K.*mx3.pref.test \[127.0.0.4\] said: 250" "$W/out"
t_ok $? "domain is a CNAME to a domain with MX"
remote mxalias.test a@mxalias.test
grep -q "^K.*alias.test \[127.0.0.4\] said: 250" "$W/out"
t_ok $? "MX host is a CNAME (followed for its address)"

# ---- implicit MX
remote implicit.test a@implicit.test
grep -q "^K.*implicit.test \[127.0.0.4\] said: 250" "$W/out"
t_ok $? "no MX: the domain's A record (implicit MX)"

# ---- permanent DNS results
remote nullmx.test a@nullmx.test
t_is "$(cat "$W/out")" \
    "D5.1.10 nullmx.test accepts no mail (null MX, RFC 7505)" "null MX: D"
remote nonexistent.test a@nonexistent.test
t_is "$(cat "$W/out")" "D5.1.2 domain nonexistent.test does not exist" \
    "NXDOMAIN: D"
remote gone.test a@gone.test
t_is "$(cut -c1-42 "$W/out")" "D5.4.4 no address found for the mail hosts" \
    "no MX host has an address: D"

# ---- temporary DNS results
remote servfail.test a@servfail.test
t_is "$(cat "$W/out")" \
    "Z4.4.3 temporary DNS failure looking up MX of servfail.test" \
    "SERVFAIL for the MX query: Z"
remote badmx.test a@badmx.test
grep -q "^Z4.4.1 x.servfail.test: temporary DNS failure" "$W/out"
t_ok $? "SERVFAIL for the MX host's address: Z"
start=$(date +%s)
RES_OPTIONS="timeout:1 attempts:1" remote slow.test a@slow.test
t_is "$(cut -c1-39 "$W/out")" "Z4.4.3 temporary DNS failure looking up" \
    "DNS timeout: Z"
t_ok $(($(date +%s) - start > 20)) "DNS timeout bounded"

# ---- truncated UDP answer, retried over TCP; 31 MX records
remote big.test a@big.test
grep -q "^K.*good.big.test \[127.0.0.4\] said: 250" "$W/out"
t_ok $? "31 MX records (TC over UDP, TCP retry): the best one is used"
grep -q 'query\[MX\] big.test.*' "$W/dnsmasq.log" &&
    [ "$(grep -c 'query\[MX\] big.test' "$W/dnsmasq.log")" -ge 2 ]
t_ok $? "the MX query was asked twice (UDP, then TCP)"

# ---- IPv6
if [ $HAVE6 = 1 ]; then
	peer six ::1
	remote six.test a@six.test
	grep -q "^K.*mx.six.test \[::1\] said: 250" "$W/out"
	t_ok $? "MX host with only AAAA: delivered over IPv6"
	remote implicit6.test a@implicit6.test
	grep -q "^K.*implicit6.test \[::1\] said: 250" "$W/out"
	t_ok $? "implicit MX from AAAA"
else
	echo "ok $((T_N + 1)) # SKIP no ::1"
	T_N=$((T_N + 1))
fi

t_done
