#!/bin/sh
# 50-local.t: quail-local run directly as a unix test user, the message on
# fd 0: Maildir (content, ,S=, owner), mbox (From_ line, >From quoting),
# |program with exit codes 0/99/100/111 and its environment, &forward
# re-queued through quail-queue, Delivered-To loop, Maildir++ over quota,
# .qmail-ext and the -default chain, quail-preline.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
U=quailtl1
UH=$(mktemp -d /tmp/quail-tl1.XXXXXX)
cleanup_user() {
	userdel "$U" 2>/dev/null
	rm -rf "$UH"
	t_cleanup
}
trap cleanup_user EXIT
userdel "$U" 2>/dev/null
useradd -M -d "$UH" -s /bin/sh "$U" || t_skip_all "useradd failed"
chown "$U" "$UH"
chmod 755 "$UH"
MSG=$UH/msg
printf 'Subject: test\nTo: x@example.com\n\nFrom the start\n>From here\nbody\n' >"$MSG"
chmod 644 "$MSG"

# as the user: quail-local args...; report in $UH/out, exit code in $rc
ql() {
	setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups \
	    "$T_BIN/quail-local" "$@" <"$MSG" >"$UH/out" 2>"$UH/err"
	rc=$?
}
asuser() {
	setpriv --reuid="$U" --regid="$(id -g "$U")" --init-groups "$@"
}
one() { ls "$1" 2>/dev/null | head -n 1; }

# 1. default delivery into ./Maildir/
asuser mkdir -p "$UH/Maildir/new" "$UH/Maildir/cur" "$UH/Maildir/tmp"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "maildir delivery exits 0"
f=$(one "$UH/Maildir/new")
size=$(wc -c <"$UH/Maildir/new/$f")
case $f in *",S=$size,W="*) r=0 ;; *) r=1 ;; esac
t_ok $r "maildir name carries ,S=<size> ($f)"
t_is "$(stat -c %U "$UH/Maildir/new/$f")" "$U" "delivered file owned by the user"
t_is "$(sed -n 1,2p "$UH/Maildir/new/$f" | tr '\n' '|')" \
    "Return-Path: <s@x.org>|Delivered-To: $U@example.com|" \
    "Return-Path and Delivered-To prepended"
tail -n +3 "$UH/Maildir/new/$f" | cmp -s - "$MSG"
t_ok $? "message body unchanged (no From quoting in Maildir)"
t_is "$(ls "$UH/Maildir/tmp" | wc -l)" 0 "tmp/ empty"

# 2. mbox
echo ./mbox >"$UH/.qmail"
chown "$U" "$UH/.qmail"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "mbox delivery"
head -n 1 "$UH/mbox" | grep -q '^From s@x.org ... ... .. ..:..:.. ....$'
t_ok $? "From_ line"
grep -q '^>From the start$' "$UH/mbox" && grep -q '^>>From here$' "$UH/mbox"
t_ok $? ">From quoting"
t_is "$(tail -c 6 "$UH/mbox" | od -c | head -1 | tr -s ' ')" \
    "0000000 b o d y \n \n" "blank line after the message"

# 3. programs and exit codes; the environment
cat >"$UH/.qmail" <<Q
# comment line
|env >$UH/env; exit 0
|exit \$CODE
./Maildir/
Q
chown "$U" "$UH/.qmail"
before=$(ls "$UH/Maildir/new" | wc -l)
CODE=0 ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "program exit 0: continue"
t_is "$(ls "$UH/Maildir/new" | wc -l)" $((before + 1)) "next line delivered after 0"
grep -q "^RECIPIENT=$U@example.com$" "$UH/env" &&
    grep -q "^SENDER=s@x.org$" "$UH/env" && grep -q "^HOME=$UH$" "$UH/env" &&
    grep -q "^USER=$U$" "$UH/env" && grep -q '^RPLINE=Return-Path: <s@x.org>$' "$UH/env" &&
    grep -q "^DTLINE=Delivered-To: $U@example.com$" "$UH/env" &&
    grep -q '^UFLINE=From s@x.org ' "$UH/env" && grep -q '^HOST=example.com$' "$UH/env"
t_ok $? "program environment"
CODE=99 ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "program exit 99: success"
t_is "$(ls "$UH/Maildir/new" | wc -l)" $((before + 1)) "99 stops: next line not run"
CODE=100 ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 100 "program exit 100: permanent"
CODE=111 ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 111 "program exit 111: temporary"
CODE=3 ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 111 "program exit 3: temporary"
printf '|echo this failed; exit 100\n' >"$UH/.qmail"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
grep -q 'this failed' "$UH/out"
t_ok $? "program output goes into the report"

# 4. a .qmail writable by others is refused (temporary)
chmod 666 "$UH/.qmail"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 111 "group/world-writable .qmail: temporary"
chmod 644 "$UH/.qmail"

# 5. forward re-queued through quail-queue
printf '&fwd1@example.net\nfwd2@example.org\n' >"$UH/.qmail"
n0=$(find "$T_HOME/queue/mess" -type f | wc -l)
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "forward exits 0 ($(cat "$UH/out" "$UH/err" | tr '\n' ' '))"
t_is "$(find "$T_HOME/queue/mess" -type f | wc -l)" $((n0 + 1)) "one new message in the queue"
qf=$(find "$T_HOME/queue/mess" -type f | head -n 1)
if [ -n "$qf" ]; then
	tr '\0' '\n' <"$qf" >"$UH/qf"
	grep -q '^Fs@x.org$' "$UH/qf" && grep -q '^Tfwd1@example.net$' "$UH/qf" &&
	    grep -q '^Tfwd2@example.org$' "$UH/qf" &&
	    grep -q "^Delivered-To: $U@example.com$" "$UH/qf"
	t_ok $? "envelope keeps the sender, both targets, Delivered-To added"
else
	t_ok 1 "envelope keeps the sender, both targets, Delivered-To added"
fi

# 5b. list owner rule: with .qmail-list-owner, forwards get that sender
printf '&member@example.net\n' >"$UH/.qmail-list"
printf '&admin@example.net\n' >"$UH/.qmail-list-owner"
ql -- "$U" "$UH" "$U-list" - list example.com s@x.org ./Maildir/
t_is "$rc" 0 "list forward"
qf2=$(grep -l "Tmember@example.net" $(find "$T_HOME/queue/mess" -type f) | head -n 1)
[ -n "$qf2" ] && tr '\0' '\n' <"$qf2" | grep -q "^F$U-list-owner@example.com$"
t_ok $? "forward sender is local-owner@domain"
rm -f "$UH/.qmail-list" "$UH/.qmail-list-owner"

# 6. loop detection
printf 'Delivered-To: other@example.com\ndelivered-to:   %s@EXAMPLE.com  \nSubject: x\n\nhi\n' "$U" >"$MSG"
echo ./Maildir/ >"$UH/.qmail"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 100 "Delivered-To loop: permanent"
grep -q 'looping' "$UH/out"
t_ok $? "loop text ($(cat "$UH/out"))"
printf 'Subject: x\n\nDelivered-To: %s@example.com\n' "$U" >"$MSG"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "Delivered-To in the body is not a loop"

awk -v u="$U" 'BEGIN { printf "X-Long: "; for (i = 0; i < 3000; i++) printf "0123456789"; print ""; print "Delivered-To: " u "@example.com"; print ""; print "b" }' >"$MSG"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 100 "loop found after a 30000-byte header line"
awk 'BEGIN { for (i = 0; i < 7000; i++) print "# comment line" }' >"$UH/.qmail"
printf 'Subject: x\n\nb\n' >"$MSG"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 111 ".qmail over 64 KiB: temporary ($(cat "$UH/out"))"
echo ./Maildir/ >"$UH/.qmail"

# 7. Maildir++ quota
printf '200S\n0 0\n' >"$UH/Maildir/maildirsize"
chown "$U" "$UH/Maildir/maildirsize"
asuser rm -f "$UH/Maildir/new/"*
printf 'Subject: q\n\nsmall\n' >"$MSG"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "under quota: delivered"
grep -q '^[0-9][0-9]* 1$' "$UH/Maildir/maildirsize"
t_ok $? "maildirsize updated"
awk 'BEGIN { for (i = 0; i < 30; i++) print "0123456789" }' >>"$MSG"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 100 "over quota: permanent"
grep -q 'over the allowed quota' "$UH/out"
t_ok $? "over-quota bounce text"
t_is "$(ls "$UH/Maildir/tmp" | wc -l)" 0 "no tmp/ leftovers after refusal"
rm -f "$UH/Maildir/maildirsize"

# 8. .qmail-ext and the -default chain
printf 'Subject: e\n\nx\n' >"$MSG"
rm -f "$UH/.qmail"
printf '|echo "$EXT:$DEFAULT" >%s/ext-out\n' "$UH" >"$UH/.qmail-list-default"
printf '|echo exact >%s/ext-out\n' "$UH" >"$UH/.qmail-list-exact"
printf '|echo top:$DEFAULT >%s/ext-out\n' "$UH" >"$UH/.qmail-default"
ql -- "$U" "$UH" "$U-list-a-b" - list-a-b example.com s@x.org ./Maildir/
t_is "$rc:$(cat "$UH/ext-out")" "0:list-a-b:a-b" ".qmail-list-default matches list-a-b"
ql -- "$U" "$UH" "$U-list-exact" - list-exact example.com s@x.org ./Maildir/
t_is "$(cat "$UH/ext-out")" "exact" ".qmail-list-exact wins over -default"
ql -- "$U" "$UH" "$U-Other" - Other example.com s@x.org ./Maildir/
t_is "$(cat "$UH/ext-out")" "top:Other" ".qmail-default catches the rest"
rm -f "$UH/.qmail-default"
ql -- "$U" "$UH" "$U-nope" - nope example.com s@x.org ./Maildir/
t_is "$rc" 100 "no matching .qmail-ext: permanent"
grep -q '5.1.1' "$UH/out"
t_ok $? "no mailbox text"

# 9. quail-preline
printf '|%s/quail-preline cat >%s/pre\n' "$T_BIN" "$UH" >"$UH/.qmail"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "quail-preline"
t_is "$(head -n 3 "$UH/pre" | cut -c1-14 | tr '\n' '|')" \
    "From s@x.org S|Return-Path: <|Delivered-To: |" "preline adds From_, Return-Path, Delivered-To"

# 10. -n shows the instructions
printf '# c\n|prog\n&a@b\n./Maildir/\n./mbox\n' >"$UH/.qmail"
ql -n -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$(tr '\n' '|' <"$UH/out")" "file: .qmail|program: prog|forward: a@b|maildir: ./Maildir/|mbox: ./mbox|" "-n lists the lines"

# 11. review2: a home writable by others is refused as qmail-local does:
# anybody could plant a .qmail there (their own, mode 0644) and run
# programs as the user
echo ./Maildir/ >"$UH/.qmail"
chown "$U" "$UH/.qmail"
printf 'Subject: w\n\nx\n' >"$MSG"
for m in 777 775; do
	chmod "$m" "$UH"
	ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
	t_is "$rc" 111 "home mode $m (writable by others): temporary ($(cat "$UH/out"))"
done
chmod 755 "$UH"
ql -- "$U" "$UH" "$U" '' '' example.com s@x.org ./Maildir/
t_is "$rc" 0 "home mode 755: delivered"

# 12. review2: a program gets the message, never the queue file's
# envelope (the other recipients, Bcc included), even when it seeks
QF=$T_HOME/qfile
printf 'Iq1\0Fs@x.org\0Tsecret-bcc@example.net\0T%s@example.com\0\0Subject: s\n\nbody\n' "$U" >"$QF"
chmod 600 "$QF"
cat >"$UH/.qmail" <<Q
|python3 -c 'import os; os.lseek(0, 0, 0); open("$UH/seen", "wb").write(os.read(0, 65536))'
Q
chown "$U" "$UH/.qmail"
rm -f "$UH/seen"
python3 - "$QF" "$U" "$T_BIN/quail-local" "$UH" <<'PY' >"$UH/out" 2>"$UH/err"
import os, sys, pwd
qf, u, ql, uh = sys.argv[1:5]
fd = os.open(qf, os.O_RDONLY)
data = os.read(fd, 4096)
os.lseek(fd, data.index(b"\0\0") + 2, 0)
os.dup2(fd, 0)
pw = pwd.getpwnam(u)
os.setgroups([]); os.setgid(pw.pw_gid); os.setuid(pw.pw_uid)
os.execv(ql, [ql, "--", u, uh, u, "", "", "example.com", "s@x.org", "./Maildir/"])
PY
t_is "$?:$(head -n 1 "$UH/seen" 2>/dev/null)" "0:Subject: s" "program reads the message from its start"
grep -q secret-bcc "$UH/seen" 2>/dev/null
t_ok $((! $?)) "program cannot read the envelope by seeking back"
t_done
