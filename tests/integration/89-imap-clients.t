#!/bin/sh
# 89-imap-clients.t: real clients against quail-imapd.  mutt (on a pty
# made by script(1), driven by "push"): reads INBOX over imap://, pipes
# a message out, saves one into a folder it creates (COPY, \Deleted,
# EXPUNGE), flags another.  offlineimap3: syncs the account into a
# local Maildir, then pushes a local flag change and a local message
# back.  Each client is skipped (TAP skip) when not installed.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v openssl >/dev/null || t_skip_all "no openssl"
t_home
H=$T_HOME
[ -x "$T_BIN/quail-auth" ] || t_skip_all "quail-auth not built"
echo "alice@example.org:$(openssl passwd -6 secret):0:" >"$H/control/mailboxes"
"$T_BIN/quail-ctl" compile >"$H/compile.log" 2>&1
t_ok $? "quail-ctl compile"
A=$H/mail/example.org/alice/Maildir
mkdir -p "$A/new" "$A/cur" "$A/tmp" "$A/.Lists/new" "$A/.Lists/cur" \
    "$A/.Lists/tmp"
for i in 1 2 3; do
	printf 'Subject: m%s\nFrom: a%s@example.org\nTo: alice@example.org\nDate: Mon, %s Jun 2025 10:00:00 +0000\nMessage-ID: <m%s@example.org>\n\nbody %s\n' \
	    $i $i $i $i $i >"$A/new/170000000$i.M1P1.h"
done
printf 'Subject: list\nMessage-ID: <l1@example.org>\n\nx\n' \
    >"$A/.Lists/cur/1700000009.M1P1.h:2,S"
chown -R quailv "$H/mail"
chmod -R go-rwx "$H/mail"
P=$(t_port)
t_bg tcpserver -R -H -l test.example -u "$(id -u quaild)" \
    -g "$(getent group nofiles | cut -d: -f3)" 127.0.0.1 "$P" \
    "$T_BIN/quail-imapd" "$T_BIN/quail-auth" 2>"$H/imapd.log"
t_wait_port "$P"
t_ok $? "tcpserver listening"
count() { find "$1/cur" "$1/new" -type f 2>/dev/null | wc -l | tr -d ' '; }

skip() {
	i=0
	while [ "$i" -lt "$2" ]; do
		T_N=$((T_N + 1))
		echo "ok $T_N # skip $1"
		i=$((i + 1))
	done
}

# ---- mutt ----
if command -v mutt >/dev/null && command -v script >/dev/null; then
	cat >"$H/muttrc" <<EOC
set folder="imap://alice%40example.org@127.0.0.1:$P/"
set spoolfile="+INBOX"
set imap_user="alice@example.org"
set imap_pass="secret"
set ssl_starttls=no
set ssl_force_tls=no
set imap_passive=yes
set imap_check_subscribed=no
set mail_check=60
set timeout=0
set sort=date-sent
set confirmappend=no
set confirmcreate=no
set delete=yes
set move=no
set quit=yes
set wait_key=no
set pipe_decode=no
set header_cache=""
set message_cachedir=""
set record=""
set postponed=""
set editor="true"
EOC
	mutt_run() {
		HOME=$H TERM=vt100 timeout 60 script -qfec \
		    "mutt -n -F '$H/muttrc' -f '=INBOX' -e 'push \"$1\"'" \
		    /dev/null </dev/null >>"$H/mutt.log" 2>&1
	}
	# message 1 (sorted by date: m1) piped out; m2 saved to =Archive
	mutt_run "<first-entry><pipe-message>cat >$H/piped<enter><next-undeleted><save-message>=Archive<enter><next-undeleted><flag-message><sync-mailbox><quit>"
	t_ok $? "mutt ran and quit"
	grep -q '^body 1' "$H/piped" && grep -q '^Subject: m1' "$H/piped"
	t_ok $? "mutt read a message over imap:// and piped it out"
	t_is "$(count "$A/.Archive")" 1 "mutt saved a message into a folder it created"
	grep -rlq '^Subject: m2' "$A/.Archive/cur" "$A/.Archive/new"
	t_ok $? "the saved message is m2"
	t_is "$(count "$A")" 2 "m2 expunged from INBOX after the save"
	ls "$A/cur" | grep -q '^1700000003.*:2,.*F'
	t_ok $? "mutt set \\Flagged on m3"
else
	skip "no mutt or script(1) (apt-get install mutt)" 6
fi

# ---- offlineimap3 ----
if command -v offlineimap >/dev/null; then
	L=$H/oi
	mkdir -p "$L" "$H/oimeta"
	cat >"$H/offlineimaprc" <<EOC
[general]
accounts = q
metadata = $H/oimeta
ui = quiet

[Account q]
localrepository = Local
remoterepository = Remote

[Repository Local]
type = Maildir
localfolders = $L

[Repository Remote]
type = IMAP
remotehost = 127.0.0.1
remoteport = $P
remoteuser = alice@example.org
remotepass = secret
ssl = no
starttls = no
timeout = 20
EOC
	oi() {
		HOME=$H timeout 120 offlineimap -c "$H/offlineimaprc" -o \
		    >>"$H/offlineimap.log" 2>&1
	}
	oi
	t_ok $? "offlineimap first sync"
	t_is "$(count "$L/INBOX")" "$(count "$A")" "offlineimap pulled INBOX"
	t_is "$(count "$L/Lists")" 1 "offlineimap pulled folder Lists"
	grep -rlq '^Subject: m3' "$L/INBOX"
	t_ok $? "offlineimap pulled message content"
	# local changes: m3 seen, a new message
	f=$(grep -rl '^Subject: m3' "$L/INBOX" | head -1)
	case $f in *:2,*) mv "$f" "${f}S" ;; *) mv "$f" "$f:2,S" ;; esac
	printf 'Subject: fromoi\nMessage-ID: <oi1@example.org>\n\nlocal\n' \
	    >"$L/INBOX/new/1800000000.oi.local"
	oi
	t_ok $? "offlineimap second sync"
	ls "$A/cur" | grep -q '^1700000003.*:2,.*S'
	t_ok $? "offlineimap pushed \\Seen to the server"
	grep -rlq '^Subject: fromoi' "$A/cur" "$A/new"
	t_ok $? "offlineimap uploaded a local message (APPEND)"
	oi
	t_ok $? "a third offlineimap sync succeeds"
	t_is "$(count "$L/INBOX")" "$(count "$A")" "both sides hold the same INBOX"
else
	skip "no offlineimap (apt-get install offlineimap3)" 9
fi
grep -q 'quail-imapd: fatal' "$H/imapd.log"
t_ok $((! $?)) "no fatal errors logged"
[ "$T_FAIL" -eq 0 ] || {
	tail -20 "$H/offlineimap.log" 2>/dev/null | sed 's/^/# /'
	tail -c 2000 "$H/mutt.log" 2>/dev/null | tr -d '\033' | sed 's/^/# /'
}
t_done
