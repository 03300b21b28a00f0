#!/bin/sh
# 31-inject.t: quail-inject and the sendmail front end, installed, run as
# user nobody with a minimal environment: header completion (Date,
# Message-ID, From), Bcc and Return-Path removed, recipients from
# arguments or the header, qmail-inject's environment variables and
# control files, quail-queue's exit codes explained, sendmail as cron and
# scripts call it, refused options, -bs and -bp when their programs exist.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
Q=$T_HOME/queue
echo mail >"$T_HOME/control/defaulthost"
echo example.com >"$T_HOME/control/defaultdomain"
echo id.example.com >"$T_HOME/control/idhost"

# as_nobody CMD...: run CMD as nobody with a clean environment (plus any
# VAR=value words given first to env)
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    env -i PATH=/usr/bin:/bin "$@"
}

# the one queued file (each case starts with an empty queue)
qfile() {
	find "$Q/mess" -type f | head -n 2
}

clear_queue() {
	find "$Q/mess" "$Q/todo" -type f -exec rm -f {} +
}

# envelope FILE: the F and T entries, "|" separated
envelope() {
	python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
env = d[:d.index(b"\0\0") + 1].split(b"\0")[:-1]
print("|".join(e.decode() for e in env if e[:1] in (b"F", b"T")))
PY
}

# message FILE: the message without quail-queue's Received: line
message() {
	python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
m = d[d.index(b"\0\0") + 2:]
sys.stdout.buffer.write(m[m.index(b"\n") + 1:])
PY
}

# header FILE NAME: the first NAME: field's value
header() {
	message "$1" | sed -n "/^\$/q; s/^$2: //p" | head -n 1
}

# ---- quail-inject ----------------------------------------------------------

clear_queue
printf 'To: joe, Bob <bob@host>\nCc: c@d.example\nBcc: hidden@x.example\nReturn-Path: <forged@x.example>\nSubject: t1\r\n\r\nbody\r\nline 2\n' |
    as_nobody USER=fred NAME='Fred Q' "$T_BIN/quail-inject" 2>"$T_HOME/err"
t_ok $? "inject: recipients from the header: exit 0"
f=$(qfile)
t_is "$(envelope "$f")" \
    "Ffred@mail.example.com|Tjoe@mail.example.com|Tbob@host.example.com|Tc@d.example|Thidden@x.example" \
    "inject: sender and recipients completed with defaulthost/defaultdomain"
message "$f" >"$T_HOME/m"
grep -qi '^bcc:' "$T_HOME/m"
t_ok $((! $?)) "inject: Bcc removed"
grep -qi '^return-path:' "$T_HOME/m"
t_ok $((! $?)) "inject: Return-Path removed"
t_is "$(header "$f" From)" "Fred Q <fred@mail.example.com>" "inject: From from USER, NAME, defaulthost"
header "$f" Date | grep -Eq '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}$'
t_ok $? "inject: Date added (RFC 5322)"
header "$f" Message-ID | grep -Eq '^<[0-9]+\.[0-9]+@id\.example\.com>$'
t_ok $? "inject: Message-ID <time.pid@idhost> added"
t_is "$(sed -n '/^$/,$p' "$T_HOME/m" | od -An -c | tr -s ' ')" \
    "$(printf '\nbody\nline 2\n' | od -An -c | tr -s ' ')" "inject: body kept, CRLF made LF"
t_is "$(stat -c %U "$f")" quailq "inject: queued file owned by quailq"

clear_queue
printf 'To: joe@a.example\nSubject: t2\n\nx\n' |
    as_nobody USER=fred "$T_BIN/quail-inject" only@b.example
t_ok $? "inject: with arguments: exit 0"
t_is "$(envelope "$(qfile)")" "Ffred@mail.example.com|Tonly@b.example" \
    "inject: arguments replace the header's recipients"

clear_queue
printf 'To: joe@a.example\nSubject: t3\n\nx\n' |
    as_nobody USER=fred "$T_BIN/quail-inject" -t extra@b.example
t_is "$(envelope "$(qfile)")" "Ffred@mail.example.com|Textra@b.example|Tjoe@a.example" \
    "inject -t: header recipients added to the arguments"

clear_queue
printf 'From: Me <me@own.example>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <x@y>\nSubject: t4\n\nx\n' |
    as_nobody QMAILUSER=qu QMAILHOST=qh.example QMAILSUSER=bounce \
    QMAILSHOST=lists.example "$T_BIN/quail-inject" r@c.example
f=$(qfile)
t_is "$(envelope "$f")" "Fbounce@lists.example|Tr@c.example" "inject: QMAILSUSER@QMAILSHOST is the envelope sender"
t_is "$(message "$f" | grep -ci '^\(from\|date\|message-id\):')" 3 \
    "inject: existing From, Date, Message-ID kept, none added"

clear_queue
printf 'Subject: t5\n\nx\n' |
    as_nobody QMAILUSER=qu QMAILHOST=qh.example "$T_BIN/quail-inject" r@c.example
t_is "$(header "$(qfile)" From)" "qu@qh.example" "inject: From from QMAILUSER@QMAILHOST"

clear_queue
printf 'Subject: t6\n\nx\n' | as_nobody USER=fred "$T_BIN/quail-inject" -f '' r@c.example
t_is "$(envelope "$(qfile)")" "F|Tr@c.example" "inject -f '': null sender"

clear_queue
printf 'Subject: t7\n\nx\n' | as_nobody "$T_BIN/quail-inject" 2>"$T_HOME/err"
t_is $? 100 "inject: no recipients: exit 100"
grep -q 'no recipients' "$T_HOME/err"
t_ok $? "inject: no recipients: says so"
t_is "$(qfile)" "" "inject: nothing queued without recipients"

chmod 0500 "$Q/tmp"
printf 'Subject: t8\n\nx\n' | as_nobody "$T_BIN/quail-inject" r@c.example 2>"$T_HOME/err"
t_is $? 111 "inject: quail-queue failing (tmp/ unwritable): exit 111"
grep -q 'trouble creating files in the queue (#63)' "$T_HOME/err"
t_ok $? "inject: the queue's exit code explained"
chmod 0700 "$Q/tmp"

printf 'Subject: t9\n\nx\n' | as_nobody "$T_BIN/quail-inject" "$(printf 'a%.0s' $(seq 1 901))@x.example" 2>/dev/null
t_is $? 100 "inject: over-long address: exit 100"

# ---- sendmail --------------------------------------------------------------

clear_queue
cat >"$T_HOME/cronjob" <<SH
#!/bin/sh
# what cron does with a job's output
{ echo "Subject: Cron <nobody@host> job"; echo; echo "output"; echo "."; echo "after the dot"; } |
    $T_BIN/sendmail -FCronDaemon -i -B8BITMIME -oem root
SH
as_nobody LOGNAME=nobody sh "$T_HOME/cronjob"
t_ok $? "sendmail as cron calls it: exit 0"
f=$(qfile)
t_is "$(envelope "$f")" "Fnobody@mail.example.com|Troot@mail.example.com" "sendmail (cron): envelope"
t_is "$(header "$f" From)" "CronDaemon <nobody@mail.example.com>" "sendmail -F: full name in From"
message "$f" | grep -q '^after the dot$'
t_ok $? "sendmail -i: a lone dot does not end the message"

clear_queue
cat >"$T_HOME/script" <<SH
#!/bin/sh
$T_BIN/sendmail -t -i -f alerts@example.org <<EOM
To: ops@example.net
Cc: boss@example.net
Subject: disk almost full

/var is at 95%.
EOM
SH
as_nobody USER=root sh "$T_HOME/script"
t_ok $? "sendmail -t -i -f from a script: exit 0"
f=$(qfile)
t_is "$(envelope "$f")" "Falerts@example.org|Tops@example.net|Tboss@example.net" "sendmail -t -f: envelope"
t_is "$(header "$f" From)" "alerts@example.org" "sendmail -f: From is the sender when missing"

clear_queue
printf 'Subject: dot\n\nbefore\n.\nafter\n' | as_nobody USER=u "$T_BIN/sendmail" r@c.example
f=$(qfile)
t_is "$(message "$f" | sed -n '/^$/,$p' | tr '\n' '|')" "|before|" "sendmail without -i: a lone dot ends the message"

as_nobody "$T_BIN/sendmail" -X /tmp/log r@c.example </dev/null 2>"$T_HOME/err"
t_is $? 100 "sendmail: unknown option refused with 100"
grep -q 'usage: sendmail' "$T_HOME/err"
t_ok $? "sendmail: unknown option: usage shown"
as_nobody "$T_BIN/sendmail" -bd </dev/null 2>/dev/null
t_is $? 100 "sendmail -bd refused"
as_nobody "$T_BIN/sendmail" -q 2>/dev/null
t_is $? 0 "sendmail -q: accepted, nothing to do"

if [ -x "$T_BIN/quail-smtpd" ]; then
	clear_queue
	printf 'HELO localhost\r\nMAIL FROM:<me@example.org>\r\nRCPT TO:<you@far.example>\r\nDATA\r\nSubject: bs\r\n\r\nhi\r\n.\r\nQUIT\r\n' |
	    as_nobody "$T_BIN/sendmail" -bs >"$T_HOME/bs" 2>&1
	grep -q '^250.*' "$T_HOME/bs" && [ -n "$(qfile)" ]
	t_ok $? "sendmail -bs: an SMTP session on stdin/stdout queues mail"
	f=$(qfile)
	[ -n "$f" ] && t_is "$(envelope "$f")" "Fme@example.org|Tyou@far.example" \
	    "sendmail -bs: RELAYCLIENT lets it relay"
	t_diag "$(cat "$T_HOME/bs")"
else
	t_diag "no quail-smtpd installed: -bs not tested"
fi

if [ -x "$T_BIN/quail-ctl" ] && "$T_BIN/quail-ctl" queue list >/dev/null 2>&1; then
	clear_queue
	printf 'Subject: q\n\nx\n' | as_nobody USER=u "$T_BIN/quail-inject" listed@example.net
	"$T_BIN/sendmail" -bp >"$T_HOME/bp" 2>&1
	t_ok $? "sendmail -bp (as root) runs quail-ctl queue list"
	grep -q 'listed@example.net' "$T_HOME/bp"
	t_ok $? "sendmail -bp shows the queued recipient"
else
	t_diag "quail-ctl queue list unavailable: -bp not tested"
fi

t_done
