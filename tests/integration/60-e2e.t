#!/bin/sh
# 60-e2e.t: the classic virtual-domain host, end to end.  A whole system
# runs under svscan (quail-ctl up), every message goes in through SMTP
# (tcpserver + quail-smtpd, python smtplib: 60-e2e-smtp.py) and comes out
# through quail-send, quail-lspawn and quail-local:
#   two virtual domains with mailbox users (no unix accounts), delivered
#   as quailv; postmaster/root/mailer-daemon aliases (control/aliases and
#   ~alias/.qmail-*) to an admin mailbox; a ~alias/.qmail-default
#   catch-all forwarding to the admin; a unix user whose .qmail-EXT files
#   pipe into a filter exiting 0, 99, 100 and 111 (delivered as that
#   user's uid); an mbox user; a forwarding loop (bounced "looping"); an
#   over-quota mailbox (452 at RCPT, or bounced with the quota text); an
#   unknown user (550 5.1.1 at RCPT).  Bounces are DSNs in the sender's
#   mailbox; the owner of every delivered file is checked; the queue
#   empties at the end.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
H=$T_HOME
CTL=$H/bin/quail-ctl
U=quaile2e
M=quaile2m
UH=$(mktemp -d /tmp/quail-e2eu.XXXXXX)
MH=$(mktemp -d /tmp/quail-e2em.XXXXXX)
SVSCAN=

stop_system() {
	if [ -n "$SVSCAN" ]; then # started by hand (no quail-ctl up)
		kill "$SVSCAN" 2>/dev/null
		for s in "$H"/boot/*/ "$H"/boot/*/log/; do
			[ -d "$s/supervise" ] && svc -dx "$s" 2>/dev/null
		done
		SVSCAN=
	elif [ -f "$H/boot/.svscan.pid" ]; then
		timeout 60 "$CTL" down >/dev/null 2>&1
	fi
}
cleanup_e2e() {
	stop_system
	userdel "$U" 2>/dev/null
	userdel "$M" 2>/dev/null
	rm -rf "$UH" "$MH"
	t_cleanup
}
trap cleanup_e2e EXIT

# waitfor SECONDS CMD...: poll CMD every 0.1 s, bounded
waitfor() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
# tokens DIR SUBJ: how many delivered files in Maildir DIR carry SUBJ's body
tokens() {
	cat "$1"/new/* "$1"/cur/* 2>/dev/null | grep -c "^token $2\$"
}
has() { [ "$(tokens "$1" "$2")" -ge "${3:-1}" ]; }
# dsn DIR SUBJ: the delivery status notification about message SUBJ
dsn() {
	grep -l '^Content-Type: multipart/report' "$1"/new/* 2>/dev/null |
	    xargs -r grep -l "^Subject: $2\$" 2>/dev/null | head -n 1
}
has_dsn() { [ -n "$(dsn "$1" "$2")" ]; }
queue_empty() {
	[ -z "$(find "$H/queue/mess" "$H/queue/todo" "$H/queue/info" -type f | head -n 1)" ]
}

# procs: processes whose cwd or executable is in the home
procs() {
	for d in /proc/[0-9]*; do
		c=$(readlink "$d/cwd" 2>/dev/null)
		e=$(readlink "$d/exe" 2>/dev/null)
		case "$c $e" in
		*"$H"/* | "$H "*) echo "${d#/proc/} $(tr '\0' ' ' <"$d/cmdline")" ;;
		esac
	done
}
no_procs() { [ -z "$(procs)" ]; }

QV=$(sed -n 8p "$QUAIL_SRC/conf-users")
ALIAS=$(sed -n 1p "$QUAIL_SRC/conf-users")
QVUID=$(id -u "$QV")

# ---- the host ------------------------------------------------------------
echo mx.test >"$H/control/me"
echo mx.test >"$H/control/locals"
echo mx.test >"$H/control/rcpthosts"
P=$(t_port)
echo "$P" >"$H/control/smtpdport"
echo 127.0.0.1 >"$H/control/smtpdaddr"

# unix users: one with a filter, one with an mbox
for x in "$U:$UH" "$M:$MH"; do
	userdel "${x%%:*}" 2>/dev/null
	useradd -M -d "${x#*:}" -s /bin/sh "${x%%:*}" ||
	    { echo "Bail out! useradd ${x%%:*} failed"; exit 1; }
	chown "${x%%:*}" "${x#*:}"
	chmod 755 "${x#*:}"
done
UUID=$(id -u "$U")
MUID=$(id -u "$M")
mkdir -p "$UH/Maildir/tmp" "$UH/Maildir/new" "$UH/Maildir/cur"
cat >"$UH/filter" <<EOF
#!/bin/sh
# filter CODE: log who ran it and for what, then exit CODE (111: only
# until $UH/release exists; 100: with a reason on stdout)
s=\$(sed -n 's/^Subject: //p')
echo "\$1 uid=\$(id -u) ext=\$EXT sender=\$SENDER rcpt=\$RECIPIENT subj=\$s" >>$UH/filter.log
case \$1 in
111) [ -e $UH/release ] && exit 0; echo "filter defers"; exit 111 ;;
100) echo "filter says no"; exit 100 ;;
esac
exit "\$1"
EOF
chmod 755 "$UH/filter"
printf '|%s/filter 0\n./Maildir/\n' "$UH" >"$UH/.qmail"
printf '# stop here\n|%s/filter 99\n./Maildir/\n' "$UH" >"$UH/.qmail-stop"
printf '|%s/filter 100\n./Maildir/\n' "$UH" >"$UH/.qmail-reject"
printf '|%s/filter 111\n./Maildir/\n' "$UH" >"$UH/.qmail-defer"
chown -R "$U" "$UH"
echo ./mbox >"$MH/.qmail"
chown -R "$M" "$MH"

# the alias user: host aliases and the catch-all forward to the admin
for a in postmaster root mailer-daemon default; do
	echo '&admin@a.test' >"$H/alias/.qmail-$a"
done
chown "$ALIAS" "$H"/alias/.qmail-*
chmod 644 "$H"/alias/.qmail-*

# virtual domains, mailboxes, aliases
ctl() { "$CTL" "$@" >>"$H/ctl.log" 2>&1; }
r=0
ctl domain add a.test || r=1
ctl domain add b.test || r=1
for u in admin@a.test alice@a.test bob@b.test; do
	echo "pw-$u" | ctl user add "$u" || r=1
done
echo pw-tiny | ctl user add tiny@b.test --quota 1K || r=1
ctl alias add root@a.test admin@a.test || r=1
ctl alias add mailer-daemon@a.test admin@a.test || r=1
ctl alias add root@b.test admin@a.test || r=1
ctl alias add loop1@b.test loop2@b.test || r=1
ctl alias add loop2@b.test loop1@b.test || r=1
ctl compile || r=1
t_ok $r "quail-ctl domain/user/alias/compile build the host"
[ $r = 0 ] || t_diag "$(cat "$H/ctl.log")"
grep -q '^alice@a.test:\$[y6]\$' "$H/control/mailboxes"
t_ok $? "mailbox passwords stored as libcrypt hashes"

# ---- start it -------------------------------------------------------------
# only the services under test: the others (IMAP, POP3, TLS ...) would
# listen on their default ports, which concurrent tests would share
for s in "$H"/boot/*/; do
	case $s in */smtpd/ | */send/) ;; *) rm -rf "$s" ;; esac
done
if timeout 60 "$CTL" up --smtp "$P" >"$H/up.log" 2>&1; then
	how="quail-ctl up"
else
	how="svscan (quail-ctl up failed: $(tr '\n' ' ' <"$H/up.log"))"
	stop_system
	svscan "$H/boot" >/dev/null 2>&1 &
	SVSCAN=$!
fi
t_wait_port "$P"
t_ok $? "system up under $how, smtpd on 127.0.0.1:$P"
waitfor 15 svok "$H/boot/send"
t_ok $? "quail-start supervised"

# ---- the mail --------------------------------------------------------------
python3 "$QUAIL_SRC/tests/integration/60-e2e-smtp.py" "$P" >"$H/smtp.out" 2>&1 <<EOF
ext@remote.test|alice@a.test|m-alice|300
ext@remote.test|bob@b.test|m-bob|300
ext@remote.test|alice@a.test,bob@b.test|m-multi|300
ext@remote.test|postmaster@a.test|m-pm-a|300
ext@remote.test|postmaster@mx.test|m-pm-me|300
ext@remote.test|root@mx.test|m-root-me|300
ext@remote.test|root@b.test|m-root-b|300
ext@remote.test|mailer-daemon@a.test|m-md|300
ext@remote.test|whoever@mx.test|m-catch|300
alice@a.test|$U@mx.test|m-filt0|300
alice@a.test|$U-stop@mx.test|m-filt99|300
alice@a.test|$U-reject@mx.test|m-filt100|300
alice@a.test|$U-defer@mx.test|m-filt111|300
alice@a.test|$M@mx.test|m-mbox1|300
alice@a.test|$M@mx.test|m-mbox2|300
alice@a.test|loop1@b.test|m-loop|300
alice@a.test|tiny@b.test|m-quota|4000
alice@a.test|nobody@a.test|m-unknown|300
alice@a.test|nobody@b.test,bob@b.test|m-mixed|300
EOF
t_diag "$(cat "$H/smtp.out")"
reply() { sed -n "s/^$1 $2 //p" "$H/smtp.out"; }
n=0
for s in m-alice m-bob m-multi m-pm-a m-pm-me m-root-me m-root-b m-md \
    m-catch m-filt0 m-filt99 m-filt100 m-filt111 m-mbox1 m-mbox2 m-loop \
    m-mixed; do
	case $(reply "$s" DATA) in 250*) n=$((n + 1)) ;; esac
done
t_is "$n" 17 "17 messages accepted with 250 after DATA"
case $(reply m-unknown nobody@a.test) in
"550 5.1.1"*) r=0 ;; *) r=1 ;; esac
t_ok $r "unknown virtual user refused at RCPT: $(reply m-unknown nobody@a.test)"
case $(reply m-mixed nobody@b.test):$(reply m-mixed bob@b.test) in
"550 5.1.1"*:250*) r=0 ;; *) r=1 ;; esac
t_ok $r "one unknown recipient refused, the other accepted"
quota_rcpt=$(reply m-quota tiny@b.test)
case $quota_rcpt in
"452 4.2.2"*) quota_at_rcpt=1 ;; *) quota_at_rcpt=0 ;; esac

# ---- deliveries -------------------------------------------------------------
MD=$H/mail
A=$MD/a.test/admin/Maildir
AL=$MD/a.test/alice/Maildir
BO=$MD/b.test/bob/Maildir
# everything that should arrive (bounded: 30 s), then look at each
arrived() {
	for s in m-pm-a m-pm-me m-root-me m-root-b m-md m-catch; do
		has "$A" "$s" || return 1
	done
	has "$AL" m-alice && has "$AL" m-multi && has "$BO" m-bob &&
	    has "$BO" m-multi && has "$BO" m-mixed &&
	    has "$UH/Maildir" m-filt0 && has_dsn "$AL" m-loop &&
	    has_dsn "$AL" m-filt100 &&
	    grep -q '^99 ' "$UH/filter.log" 2>/dev/null &&
	    grep -q '^111 ' "$UH/filter.log" 2>/dev/null &&
	    grep -q '^token m-mbox2$' "$MH/mbox" 2>/dev/null &&
	    grep -q '^token m-mbox1$' "$MH/mbox" 2>/dev/null &&
	    { [ "$quota_at_rcpt" = 1 ] || has_dsn "$AL" m-quota; }
}
waitfor 30 arrived
t_ok $? "every delivery and bounce arrived within 30 s"

t_is "$(tokens "$AL" m-alice):$(tokens "$AL" m-multi)" 1:1 \
    "alice@a.test got her mail and her copy of the two-domain message"
f=$(grep -l '^token m-alice$' "$AL"/new/* 2>/dev/null | head -n 1)
sed -n 1,2p "$f" 2>/dev/null | tr '\n' '|' | grep -qx 'Return-Path: <ext@remote.test>|Delivered-To: alice@a.test|' &&
    grep -q '^Subject: m-alice$' "$f" && grep -q '(quail-smtpd) with ESMTP' "$f"
t_ok $? "delivered file: Return-Path, Delivered-To, the Received: of quail-smtpd, the message"
t_is "$(tokens "$BO" m-bob):$(tokens "$BO" m-multi):$(tokens "$BO" m-mixed)" \
    1:1:1 "bob@b.test got his three"
got=
for s in m-pm-a m-pm-me m-root-me m-root-b m-md m-catch; do
	got="$got $s:$(tokens "$A" "$s")"
done
t_is "$got" " m-pm-a:1 m-pm-me:1 m-root-me:1 m-root-b:1 m-md:1 m-catch:1" \
    "admin got postmaster@ (domain and host), root@, mailer-daemon@ and the catch-all"
f=$(grep -l '^token m-pm-a$' "$A"/new/* 2>/dev/null | head -n 1)
grep -q '^Delivered-To: postmaster@a.test$' "$f" 2>/dev/null &&
    grep -q '^Delivered-To: .*admin@a.test$' "$f" 2>/dev/null
t_ok $? "the aliased copy carries the Delivered-To lines of its path"
t_is "$(tokens "$MD/b.test/tiny/Maildir" m-quota)" 0 "nothing delivered past the quota"
if [ $quota_at_rcpt = 1 ]; then
	t_ok 0 "over quota refused at RCPT: $quota_rcpt"
else
	f=$(dsn "$AL" m-quota)
	grep -qi 'over the allowed quota' "$f" 2>/dev/null
	t_ok $? "over quota: accepted at RCPT ($quota_rcpt), bounced to the sender with the quota text"
fi
f=$(dsn "$AL" m-loop)
grep -qi 'looping' "$f" 2>/dev/null
t_ok $? "forwarding loop loop1 -> loop2 -> loop1 bounced as looping"
grep -q '^Status: 5\.' "$f" 2>/dev/null && grep -q '^Return-Path: <>$' "$f" 2>/dev/null
t_ok $? "the bounce is a DSN (Status: 5.x.x) sent from <>"

# the filter: 0 continue, 99 stop, 100 bounce, 111 retry
t_is "$(tokens "$UH/Maildir" m-filt0)" 1 "filter exit 0: next line delivers into ~/Maildir"
grep -q "^0 uid=$UUID ext= sender=alice@a.test rcpt=$U@mx.test subj=m-filt0\$" "$UH/filter.log"
t_ok $? "filter ran as $U with SENDER, RECIPIENT and EXT set"
grep -q "^99 uid=$UUID ext=stop .*subj=m-filt99\$" "$UH/filter.log" &&
    [ "$(tokens "$UH/Maildir" m-filt99)" = 0 ]
t_ok $? "filter exit 99: success, the following ./Maildir/ line skipped"
f=$(dsn "$AL" m-filt100)
grep -q 'filter says no' "$f" 2>/dev/null && [ "$(tokens "$UH/Maildir" m-filt100)" = 0 ]
t_ok $? "filter exit 100: bounced with the program's output"
t_is "$(tokens "$UH/Maildir" m-filt111)" 0 "filter exit 111: not delivered yet"
deferred_listed() {
	"$CTL" queue list >"$H/qlist" 2>&1
	grep -q "$U-defer@mx.test" "$H/qlist" && grep -q 'filter defers' "$H/qlist"
}
waitfor 20 deferred_listed
r=$?
t_ok $r "filter exit 111: still queued, quail-ctl queue list shows why"
[ $r = 0 ] || t_diag "$(cat "$H/qlist")"
touch "$UH/release"
chown "$U" "$UH/release"
"$CTL" queue retry >/dev/null 2>&1 || svc -a "$H/boot/send"
waitfor 30 has "$UH/Maildir" m-filt111
t_ok $? "after a retry the deferred message is delivered"

# mbox
sed -n 1p "$MH/mbox" | grep -q '^From alice@a.test ' &&
    [ "$(grep -c '^From ' "$MH/mbox")" = 2 ] &&
    grep -q '^token m-mbox1$' "$MH/mbox" && grep -q '^token m-mbox2$' "$MH/mbox"
t_ok $? "mbox user: two messages with From_ lines appended to ~/mbox"
t_is "$(grep -c '^>From the start, quoted$' "$MH/mbox")" 2 "mbox: From_ in the body quoted as >From"

# ---- who delivered what ---------------------------------------------------------
bad=$(find "$MD" -path '*/Maildir/*' -type f ! -user "$QV" | head -n 3)
t_is "$bad" "" "every file under HOME/mail is owned by $QV"
t_is "$(find "$MD" -path '*/Maildir/new/*' -type f | wc -l | tr -d ' ')" \
    "$(find "$MD" -path '*/Maildir/new/*' -type f -user "$QV" | wc -l | tr -d ' ')" \
    "virtual deliveries as $QV (uid $QVUID)"
bad=$(find "$UH/Maildir" -type f ! -user "$U" | head -n 3)
t_is "$(find "$UH/Maildir/new" -type f | wc -l | tr -d ' '):$bad" "2:" \
    "the unix user's Maildir files (2) are owned by $U (uid $UUID)"
t_is "$(stat -c %u "$MH/mbox" 2>/dev/null)" "$MUID" "the mbox is owned by $M (uid $MUID)"
t_is "$(grep -vc "uid=$UUID " "$UH/filter.log")" 0 "every filter run as uid $UUID"
t_is "$(find "$H/mail" "$UH" "$MH" "$H/alias" -user root -type f | head -n 3)" "" \
    "no delivered file owned by root"
grep -q 'quail-lspawn: .*slot .*: K' "$H/log/send/current"
t_ok $? "deliveries logged by quail-lspawn"

waitfor 30 queue_empty
r=$?
t_ok $r "the queue empties"
[ $r = 0 ] || t_diag "$("$CTL" queue list 2>&1)"
t_diag "$(grep -c 'quail-lspawn: info' "$H/log/send/current") quail-lspawn deliveries logged"

stop_system
waitfor 20 no_procs
r=$?
t_ok $r "the system stops: no process left with its cwd or program in the home"
[ $r = 0 ] || t_diag "$(procs)"
t_done
