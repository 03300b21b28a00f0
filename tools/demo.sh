#!/bin/sh
# demo.sh DEMOHOME [stop]: the README's first command ("make demo").
# As root, on a fresh Debian 12 machine:
#   1. tests/deps.sh installs what is missing; make builds; make setup
#      installs a complete system into DEMOHOME
#   2. quail-ctl up starts it under svscan on 127.0.0.1 high ports
#      (SMTP 2525, and when their services are installed submission 5587,
#      IMAP 1143, POP3 1110, SMTPS 4465, IMAPS 1993, POP3S 1995; override
#      with DEMO_SMTP, DEMO_SUBMISSION, DEMO_IMAP, DEMO_POP3, DEMO_SMTPS,
#      DEMO_IMAPS, DEMO_POP3S)
#   3. creates the domain demo.example and the mailbox you@demo.example
#      (a random password, kept in DEMOHOME/.demo-password, root 0600)
#   4. sends a welcome mail through DEMOHOME/bin/sendmail, waits until it
#      is in the Maildir and prints where it is and how to read it.
# "stop" (make demo-stop): quail-ctl down; nothing of the demo keeps
# running.  Both are idempotent: a second "make demo" finds the system up
# and the user there, and delivers one more welcome mail.
# The build directory is $BUILD (default build), as in the Makefile.
# Exits 0 done, 100 usage, 111 failure.

set -u
umask 022
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
DOM=demo.example
USER_=you
WAIT=30

die() {
	echo "demo: fatal: $*" >&2
	exit 111
}
say() {
	echo "demo: $*"
}

case ${2-} in
'' | stop) ;;
*) echo "usage: demo.sh DEMOHOME [stop]" >&2; exit 100 ;;
esac
if [ $# -lt 1 ] || [ -z "$1" ]; then
	echo "usage: demo.sh DEMOHOME [stop]" >&2
	exit 100
fi
case $1 in
/*) H=${1%/} ;;
*) H=$(pwd)/${1%/} ;;
esac
[ "$(id -u)" = 0 ] ||
    die "run me as root: it installs packages, creates the quail users and starts daemons"
CTL=$H/bin/quail-ctl

# procs: processes of this demo (cwd or program inside DEMOHOME)
procs() {
	for d in /proc/[0-9]*; do
		c=$(readlink "$d/cwd" 2>/dev/null)
		e=$(readlink "$d/exe" 2>/dev/null)
		case "$c $e" in
		"$H"/* | *" $H"/* | "$H "*) echo "${d#/proc/} $(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)" ;;
		esac
	done
}

stop() {
	if [ -x "$CTL" ] && [ -f "$H/boot/.svscan.pid" ]; then
		timeout 60 "$CTL" down || die "quail-ctl down failed"
	else
		say "$H is not running"
	fi
	i=0
	while [ -n "$(procs)" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	left=$(procs)
	[ -z "$left" ] || die "still running in $H:
$left"
	say "stopped; nothing of $H is running.  Remove it with: rm -rf $H"
}

[ "${2-}" = stop ] && {
	stop
	exit 0
}

# ---- 1. dependencies, build, install --------------------------------------
case $H in
*[[:space:]]*) die "DEMOHOME must not contain white space: $H" ;;
esac
# the quail ids (quaild, quailv, ...) must be able to reach the home
d=$(dirname "$H")
while [ "$d" != / ]; do
	[ -d "$d" ] || break
	case $(stat -c %A "$d") in
	?????????[xt]) ;;
	*) die "$d is not searchable by others (chmod o+x it, or use another DEMOHOME)" ;;
	esac
	d=$(dirname "$d")
done
cd "$SRC" || die "cannot cd to $SRC"
sh tests/deps.sh || die "tests/deps.sh failed"
say "building into $BUILD/"
make -s BUILD="$BUILD" QHOME="$H" all >/dev/null || die "make failed"
say "installing into $H"
make -s BUILD="$BUILD" QHOME="$H" setup >"$H.setup.log" 2>&1 ||
    { cat "$H.setup.log" >&2; rm -f "$H.setup.log"; die "make setup failed"; }
rm -f "$H.setup.log"
[ -x "$CTL" ] || die "$CTL is missing"

# ---- 2. ports and start ------------------------------------------------------
# the demo listens on loopback only, whatever the run scripts default to
SMTP=${DEMO_SMTP:-2525}
echo 127.0.0.1 >"$H/control/smtpdaddr"
echo "$SMTP" >"$H/control/smtpdport"
set -- --ip 127.0.0.1 --smtp "$SMTP"
ports="SMTP 127.0.0.1:$SMTP"
# svc option default label: every other listening service installed gets
# a high port too (never its privileged default)
for x in submission:--submission:${DEMO_SUBMISSION:-5587}:submission \
    imapd:--imap:${DEMO_IMAP:-1143}:IMAP pop3d:--pop3:${DEMO_POP3:-1110}:POP3 \
    smtps:--smtps:${DEMO_SMTPS:-4465}:SMTPS imapsd:--imaps:${DEMO_IMAPS:-1993}:IMAPS \
    pop3sd:--pop3s:${DEMO_POP3S:-1995}:POP3S; do
	IFS=: read -r svc opt port label <<EOF
$x
EOF
	[ -d "$H/boot/$svc" ] || continue
	set -- "$@" "$opt" "$port"
	ports="$ports, $label 127.0.0.1:$port"
done
if [ ! -f "$H/boot/.svscan.pid" ] &&
    ss -ltn "sport = :$SMTP" 2>/dev/null | grep -q LISTEN; then
	die "port $SMTP is taken by another program (DEMO_SMTP=port make demo)"
fi
timeout 60 "$CTL" up "$@" || die "quail-ctl up failed (log: $H/boot/.svscan.log)"

# ---- 3. the demo domain and user ----------------------------------------------
"$CTL" domain add "$DOM" >/dev/null || die "quail-ctl domain add $DOM failed"
PWF=$H/.demo-password
if ! "$CTL" user list "$DOM" 2>/dev/null | grep -q "^${USER_}@${DOM}[[:space:]]"; then
	(umask 077 && od -An -N9 -tx1 /dev/urandom | tr -d ' \n' >"$PWF") ||
	    die "cannot write $PWF"
	echo >>"$PWF"
	"$CTL" user add "$USER_@$DOM" <"$PWF" >/dev/null ||
	    die "quail-ctl user add $USER_@$DOM failed"
fi
PW=$(cat "$PWF" 2>/dev/null) || PW="(unknown: set one with $CTL user passwd $USER_@$DOM)"

# ---- 4. the welcome mail ----------------------------------------------------------
MD=$H/mail/$DOM/$USER_/Maildir
tag=welcome-$(date +%s)-$$
"$H/bin/sendmail" -f "postmaster@$DOM" "$USER_@$DOM" <<EOF || die "sendmail failed"
From: quail demo <postmaster@$DOM>
To: $USER_@$DOM
Subject: Welcome to quail
Message-ID: <$tag@$DOM>

Hello!

This message went in through $H/bin/sendmail, was queued by
quail-queue, scheduled by quail-send and written into your Maildir by
quail-local, running as the mail owner, not as root.

Send more over SMTP on 127.0.0.1:$SMTP, for example with swaks:
    swaks --server 127.0.0.1 --port $SMTP --to $USER_@$DOM

What quail does with an address:
    $CTL explain $USER_@$DOM

-- 
quail
EOF
i=0
file=
while [ $i -lt $((WAIT * 10)) ]; do
	file=$(grep -l "^Message-ID: <$tag@$DOM>" "$MD"/new/* "$MD"/cur/* 2>/dev/null | head -n 1)
	[ -n "$file" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$file" ] || die "the welcome mail did not arrive within ${WAIT}s; see $CTL queue list and $H/log/send/current"

cat <<EOF

quail is running in $H ($ports).

The welcome mail arrived after $((i / 10)).$((i % 10)) s:
    $file

Read it:
    cat '$file'
    mutt -f $MD

Mailbox:  $USER_@$DOM   password: $PW
EOF
[ -d "$H/boot/imapd" ] &&
    echo "IMAP:      127.0.0.1:${DEMO_IMAP:-1143}, login $USER_@$DOM"
[ -d "$H/boot/pop3d" ] &&
    echo "POP3:      127.0.0.1:${DEMO_POP3:-1110}, login $USER_@$DOM"
cat <<EOF
Send more:
    swaks --server 127.0.0.1 --port $SMTP --to $USER_@$DOM
    echo hi | $H/bin/sendmail $USER_@$DOM
See what happens to an address:  $CTL explain $USER_@$DOM
The queue:  $CTL queue list      Logs:  $H/log/*/current
Stop it:    make demo-stop   (or: sh tools/demo.sh $H stop)
EOF
