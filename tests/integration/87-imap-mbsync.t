#!/bin/sh
# 87-imap-mbsync.t: mbsync (isync) against quail-imapd, both ways: the
# server's folders pulled into a local Maildir, a message made locally
# pushed up (APPEND), flags changed on either side carried over, a
# message deleted on the server removed locally, a local folder created
# on the server.  Skipped when mbsync is not installed.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
command -v tcpserver >/dev/null || t_skip_all "no tcpserver (ucspi-tcp)"
command -v mbsync >/dev/null || t_skip_all "no mbsync (apt-get install isync)"
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
	printf 'Subject: m%s\nFrom: a@example.org\n\nbody %s\n' $i $i \
	    >"$A/new/170000000$i.M1P1.h"
done
printf 'Subject: list\n\nx\n' >"$A/.Lists/cur/1700000009.M1P1.h:2,S"
chown -R quailv "$H/mail"
chmod -R go-rwx "$H/mail"
P=$(t_port)
t_bg tcpserver -R -H -l test.example -u "$(id -u quaild)" \
    -g "$(getent group nofiles | cut -d: -f3)" 127.0.0.1 "$P" \
    "$T_BIN/quail-imapd" "$T_BIN/quail-auth" 2>"$H/imapd.log"
t_wait_port "$P"
t_ok $? "tcpserver listening"

L=$H/local
mkdir -p "$L"
cat >"$H/mbsyncrc" <<EOC
IMAPAccount q
Host 127.0.0.1
Port $P
User alice@example.org
Pass secret
SSLType None
AuthMechs LOGIN
Timeout 20

IMAPStore remote
Account q

MaildirStore local
Path $L/
Inbox $L/INBOX
SubFolders Verbatim

Channel c
Far :remote:
Near :local:
Patterns *
Create Both
Expunge Both
SyncState *
EOC
sync() { timeout 60 mbsync -c "$H/mbsyncrc" -a >>"$H/mbsync.log" 2>&1; }
count() { find "$1/cur" "$1/new" -type f | wc -l | tr -d ' '; }

sync
t_ok $? "first mbsync run"
t_is "$(count "$L/INBOX")" 3 "INBOX pulled: 3 messages"
t_is "$(count "$L/Lists")" 1 "folder Lists pulled"
grep -rq '^Subject: m2' "$L/INBOX"
t_ok $? "message content pulled"

# local changes: a new message, \Flagged on m1, a new folder
printf 'Subject: local\n\nfrom mbsync\n' >"$L/INBOX/new/1800000000.local"
f=$(grep -rl '^Subject: m1' "$L/INBOX" | head -1)
case $f in *:2,*) mv "$f" "${f}F" ;; *) mv "$f" "$f:2,F" ;; esac
mkdir -p "$L/Made/cur" "$L/Made/new" "$L/Made/tmp"
printf 'Subject: made\n\nx\n' >"$L/Made/new/1800000001.local"
sync
t_ok $? "second mbsync run"
grep -rlq '^Subject: local' "$A/cur" "$A/new"
t_ok $? "local message pushed to the server"
ls "$A/cur" | grep -q '1700000001.*:2,.*F'
t_ok $? "local \\Flagged pushed to the server"
[ "$(count "$A/.Made")" = 1 ]
t_ok $? "local folder created on the server with its message"

# server changes: delete m3, mark m2 seen
rm -f "$A/cur/1700000003.M1P1.h"*
mv "$A/cur/1700000002.M1P1.h:2," "$A/cur/1700000002.M1P1.h:2,S" 2>/dev/null ||
    mv "$A/cur/1700000002.M1P1.h"* "$A/cur/1700000002.M1P1.h:2,S"
sync
t_ok $? "third mbsync run"
grep -rlq '^Subject: m3' "$L/INBOX"
t_ok $((! $?)) "message deleted on the server removed locally"
f=$(grep -rl '^Subject: m2' "$L/INBOX" | head -1)
case $f in *:2,*S*) t_ok 0 "server \\Seen pulled" ;; *) t_ok 1 "server \\Seen pulled" ;; esac
sync
t_ok $? "a fourth run changes nothing and succeeds"
t_is "$(count "$L/INBOX")" "$(count "$A")" "both sides hold the same INBOX"
grep -q 'quail-imapd: fatal' "$H/imapd.log"
t_ok $((! $?)) "no fatal errors logged"
[ "$T_FAIL" -eq 0 ] || sed 's/^/# /' "$H/mbsync.log" | tail -20
t_done
