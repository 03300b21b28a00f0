#!/bin/sh
# 70-ctl-admin.t: quail-ctl domain/user/alias (sources, rcpt.cdb, yescrypt
# hashes, Maildirs), queue list/stat/hold/release/fsck on a message put in
# by quail-queue, explain for local/virtual/unknown/remote addresses, and
# up/down leaving nothing running.
. "${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/lib.sh"

t_home
C=$T_BIN/quail-ctl
[ -x "$C" ] || t_skip_all "quail-ctl not built"
H=$T_HOME

# rcpt KEY: the rcpt.cdb answer for an address (python, independent of C)
rcpt() {
	python3 - "$H/control/rcpt.cdb" "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
def h(k):
    x = 5381
    for b in k:
        x = ((x << 5) + x ^ b) & 0xffffffff
    return x
def get(k):
    x = h(k)
    pos, n = struct.unpack_from("<II", data, (x & 255) * 8)
    if n == 0:
        return None
    s = (x >> 8) % n
    for i in range(n):
        hh, p = struct.unpack_from("<II", data, pos + ((s + i) % n) * 8)
        if p == 0:
            return None
        if hh == x:
            kl, vl = struct.unpack_from("<II", data, p)
            if data[p + 8:p + 8 + kl] == k:
                return data[p + 8 + kl:p + 8 + kl + vl]
    return None
a = sys.argv[2].lower().encode()
local, dom = a.rsplit(b"@", 1)
if get(a) is not None:
    print("ok"); sys.exit()
for i in range(len(local), -1, -1):
    if get(local[:i] + b"*@" + dom) is not None:
        print("ok"); sys.exit()
print("unknown" if get(b"@" + dom) is not None else "unchecked")
PY
}

# --- domains, users, aliases ----------------------------------------------
$C domain add Example.ORG >/dev/null
t_ok $? "domain add"
grep -qx example.org "$H/control/rcpthosts"
t_ok $? "domain add lists the domain in rcpthosts"
t_is "$(rcpt nobody@example.org)" unknown "empty domain is validated at RCPT"
t_is "$(rcpt postmaster@example.org)" ok "postmaster of the new domain"
$C domain add example.org >/dev/null
t_ok $? "domain add again is a no-op"
t_is "$(grep -c example.org "$H/control/rcpthosts")" 1 "no duplicate rcpthosts line"

printf 'Secr3t pw\n' | $C user add joe@example.org --quota 10M >/dev/null
t_ok $? "user add (password from stdin)"
t_is "$(rcpt joe@example.org)" ok "rcpt.cdb has joe"
t_is "$(rcpt joe-list@example.org)" ok "and his extensions"
hash=$(grep '^joe@example.org:' "$H/control/mailboxes" | cut -d: -f2)
case $hash in '$y$'*) r=0 ;; *) r=1 ;; esac
t_ok $r "hash is yescrypt"
python3 -W ignore -c 'import crypt, sys
sys.exit(crypt.crypt("Secr3t pw", sys.argv[1]) != sys.argv[1])' "$hash"
t_ok $? "hash verifies with libcrypt"
grep -q 'Secr3t' "$H/control/mailboxes" "$H/control/mailboxes.cdb"
t_ok $((!$?)) "clear text stored nowhere"
t_is "$(stat -c '%U %a' "$H/mail/example.org/joe/Maildir/new")" "$(sed -n 8p "$QUAIL_SRC/conf-users") 700" \
    "Maildir made, owned by the mail owner"
echo x | $C user add joe@example.org >/dev/null 2>&1
t_is $? 100 "user add of an existing mailbox refused"
echo x | $C user add ann@nodomain.example >/dev/null 2>&1
t_is $? 100 "user add to an unknown domain refused"
$C user add bad@example.org </dev/null >/dev/null 2>&1
t_is $? 100 "user add without a password refused"
t_is "$(rcpt bad@example.org)" unknown "and nothing added"

printf 'N3w\n' | $C user passwd joe@example.org >/dev/null
hash2=$(grep '^joe@example.org:' "$H/control/mailboxes" | cut -d: -f2)
python3 -W ignore -c 'import crypt, sys
sys.exit(crypt.crypt("N3w", sys.argv[1]) != sys.argv[1])' "$hash2"
t_ok $? "user passwd sets a new hash"
$C user quota joe@example.org 20M >/dev/null
t_is "$(grep '^joe@example.org:' "$H/control/mailboxes" | cut -d: -f3)" 20M "user quota"
$C user quota joe@example.org lots >/dev/null 2>&1
t_is $? 100 "bad quota refused"
t_is "$($C user list example.org | cut -f1,2)" "joe@example.org	quota 20M" "user list"

$C alias add info@example.org joe@example.org >/dev/null
t_ok $? "alias add"
$C alias add info@example.org boss@elsewhere.example >/dev/null
t_is "$($C alias list example.org | grep '^info@')" \
    "info@example.org	joe@example.org, boss@elsewhere.example" "alias targets merged"
t_is "$(rcpt info@example.org)" ok "alias in rcpt.cdb"
$C alias del info@example.org joe@example.org >/dev/null
t_is "$($C alias list | grep '^info@' | cut -f2)" boss@elsewhere.example "alias del of one target"
$C alias add '@example.org' joe@example.org >/dev/null
t_is "$(rcpt anything@example.org)" ok "catch-all alias"
$C alias del '@example.org' >/dev/null
t_is "$(rcpt anything@example.org)" unknown "catch-all removed"
$C alias add x@example.org 'not an address' >/dev/null 2>&1
t_is $? 100 "invalid alias target refused"
cp "$H/control/aliases" "$H/aliases.before"
printf '# comment kept\n' >>"$H/control/aliases"
$C alias add y@example.org joe@example.org >/dev/null
grep -qx '# comment kept' "$H/control/aliases"
t_ok $? "comments in sources are kept"

t_is "$($C domain list | cut -f1-4 | head -1)" "example.org	virtual	users 1	aliases 3" "domain list"
$C domain del example.org >/dev/null 2>&1
t_is $? 100 "domain del refused while it has mailboxes"
$C user del joe@example.org >/dev/null
t_is "$(rcpt joe@example.org)" unknown "user del"
[ -d "$H/mail/example.org/joe/Maildir" ]
t_ok $? "user del keeps the Maildir"

# --- explain ----------------------------------------------------------------
$C domain add second.example >/dev/null
printf 'pw\n' | $C user add amy@second.example >/dev/null
out=$($C explain Amy@Second.Example)
echo "$out" | grep -q "deliverable, entry from control/mailboxes" &&
    echo "$out" | grep -q "virtual mailbox 'amy@second.example'"
t_ok $? "explain: virtual mailbox"
out=$($C explain nobody@second.example)
echo "$out" | grep -q "unknown user: refused (550 5.1.1)"
t_ok $? "explain: unknown user"
out=$($C explain someone@remote.example)
echo "$out" | grep -q "rcpthosts: not listed" &&
    echo "$out" | grep -q "remote: no smtproutes entry: MX of remote.example"
t_ok $? "explain: remote"
me=$(sed 1q "$H/control/me")
printf '&admin@second.example\n' >"$H/alias/.qmail-postmaster"
$C compile >/dev/null
out=$($C explain "postmaster@$me")
echo "$out" | grep -q "local: $me in locals.cdb" &&
    echo "$out" | grep -q "1: &admin@second.example"
t_ok $? "explain: local address via the alias user's .qmail file"
printf 'x.example:mx.relay.example:2525\n' >"$H/control/smtproutes"
$C compile >/dev/null
$C explain u@x.example | grep -q "smtproutes 'x.example' -> mx.relay.example:2525"
t_ok $? "explain: smtproutes route"

# --- queue --------------------------------------------------------------------
if [ -x "$T_BIN/quail-queue" ] && [ -x "$T_BIN/sendmail" ]; then
	printf 'Subject: q\n\nbody\n' |
	    "$T_BIN/sendmail" -f sender@remote.example amy@second.example far@remote.example
	t_ok $? "message queued"
	json=$($C queue list --json)
	t_is "$(echo "$json" | python3 -c 'import json,sys
m = json.load(sys.stdin)
print(len(m), m[0]["sender"], ",".join(r["address"] + ":" + r["state"] for r in m[0]["recipients"]))')" \
	    "1 sender@remote.example amy@second.example:new,far@remote.example:new" \
	    "queue list --json"
	id=$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	$C queue list | grep -q "^$id  age .* from <sender@remote.example>"
	t_ok $? "queue list"
	t_is "$($C queue stat | sed -n 1p)" "messages in queue: 1" "queue stat"
	$C queue hold "$id" >/dev/null && [ -f "$H/queue/hold/$id" ]
	t_ok $? "queue hold makes hold/ID"
	$C queue list | grep -q HELD
	t_ok $? "held message shown"
	$C queue release "$id" >/dev/null && [ ! -e "$H/queue/hold/$id" ]
	t_ok $? "queue release"
	$C queue hold nosuchid0000 >/dev/null 2>&1
	t_is $? 100 "hold of an unknown id refused"
	$C queue hold '../../etc' >/dev/null 2>&1
	t_is $? 100 "hold of a hostile id refused"
	nn=$(ls "$H/queue/info" | sed -n 1p)
	: >"$H/queue/info/$nn/0000000100000abc"
	: >"$H/queue/todo/0000000100000abd"
	: >"$H/queue/tmp/old1" && touch -d '3 days ago' "$H/queue/tmp/old1"
	: >"$H/queue/tmp/new1"
	out=$($C queue fsck)
	echo "$out" | grep -q "fsck: 3 problems, 3 repaired"
	t_ok $? "fsck repairs orphans, stale markers, old tmp files"
	[ ! -e "$H/queue/info/$nn/0000000100000abc" ] && [ -e "$H/queue/tmp/new1" ] &&
	    [ -n "$(ls "$H"/queue/mess/*/"$id")" ]
	t_ok $? "fsck keeps messages and young tmp files"
	t_is "$($C queue fsck | tail -1)" "fsck: 0 problems, 0 repaired" "second fsck finds nothing"
else
	T_N=$((T_N + 1))
	echo "ok $T_N # skip quail-queue not installed"
fi

# --- up / down ----------------------------------------------------------------
# Services that do not take their port from env/PORT would bind their
# default ports: only those that do are run here.
for s in "$H"/boot/*/; do
	s=${s%/}
	case ${s##*/} in
	send) ;;
	*) grep -q 'env/PORT\|envdir' "$s/run" 2>/dev/null || rm -rf "$s" ;;
	esac
done
mkdir -p "$H/boot/t-dummy/log"
printf '#!/bin/sh\nexec sleep 1000\n' >"$H/boot/t-dummy/run"
printf '#!/bin/sh\nexec cat >/dev/null\n' >"$H/boot/t-dummy/log/run"
chmod 755 "$H/boot/t-dummy/run" "$H/boot/t-dummy/log/run"
port=$(t_port)
out=$(timeout 60 $C up --smtp "$port")
t_ok $? "up"
echo "$out" | grep -q "^t-dummy	$H/boot/t-dummy: up (pid"
t_ok $? "up reports the services up"
pgrep -f "^svscan $H/boot" >/dev/null
t_ok $? "svscan runs"
[ -f "$H/boot/.svscan.pid" ]
t_ok $? "svscan pid recorded"
if [ -d "$H/boot/smtpd" ]; then
	t_is "$(cat "$H/boot/smtpd/env/PORT")" "$port" "smtpd env/PORT"
	t_wait_port "$port"
	t_ok $? "smtpd listens on the chosen port"
fi
out=$(timeout 60 $C up)
echo "$out" | grep -q "already up"
t_ok $? "second up does not start another svscan"
t_is "$(pgrep -fc "^svscan $H/boot")" 1 "exactly one svscan"
timeout 60 $C down >/dev/null
t_ok $? "down"
sleep 0.3
pgrep -f "$H" >/dev/null
t_ok $((!$?)) "nothing left running under the home"
[ ! -e "$H/boot/.svscan.pid" ]
t_ok $? "pid file removed"

t_done
