#!/bin/sh
# 81-auth.t: quail-auth, the checkpassword program: yescrypt and
# SHA-512-crypt virtual users from control/mailboxes.cdb, wrong
# passwords (exit 1 after a delay, logged without the password),
# per-service flags, the environment and uid of the session, the
# setuid route used by daemons running as quaild.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
W=$T_HOME/t
mkdir -p "$W" && chmod 755 "$W"
A=$T_BIN/quail-auth
quaild=$(sed -n 2p "$QUAIL_SRC/conf-users")
quailv=$(sed -n 8p "$QUAIL_SRC/conf-users")
nofiles=$(sed -n 10p "$QUAIL_SRC/conf-users")

hash() {
	python3 -W ignore -c '
import ctypes, sys
l = ctypes.CDLL("libcrypt.so.1")
l.crypt_gensalt.restype = ctypes.c_char_p
l.crypt.restype = ctypes.c_char_p
salt = l.crypt_gensalt(sys.argv[1].encode(), 0, None, 0)
print(l.crypt(sys.argv[2].encode(), salt).decode())' "$1" "$2"
}
Y=$(hash '$y$' yes-secret)
S=$(hash '$6$' sha-secret)
case $Y in '$y$'*) ;; *) t_skip_all "libcrypt without yescrypt" ;; esac
printf 'joe@mbox.example:%s:1M:\nann@mbox.example:%s:0:nopop\noff@mbox.example:!:0:\n' \
    "$Y" "$S" >"$T_HOME/control/mailboxes"
"$T_BIN/quail-ctl" compile >"$W/compile.log" 2>&1
t_ok $? "quail-ctl compile with a yescrypt and a sha512 user"

# The session program: prints what checkpassword promised.
cat >"$T_BIN/t-env" <<'SH'
#!/bin/sh
echo "uid=$(id -u) USER=$USER HOME=$HOME MAILDIR=$MAILDIR PWD=$(pwd) Q=${MAILDIRQUOTA-} EVIL=${EVIL-unset} IP=${TCPREMOTEIP-}"
SH
chmod 755 "$T_BIN/t-env"

# auth USER PASS [env...]: runs quail-auth with the request on fd 3
auth() {
	u=$1 p=$2
	shift 2
	printf '%s\0%s\0%s\0' "$u" "$p" "<1.2@x>" >"$W/req"
	env EVIL=1 TCPREMOTEIP=192.0.2.7 "$@" "$A" "$T_BIN/t-env" \
	    3<"$W/req" 2>>"$W/log"
}
uid_v=$(id -u "$quailv")

out=$(auth joe@mbox.example yes-secret)
t_ok $? "yescrypt user, right password: exit 0 (program run)"
U=$T_HOME/mail/mbox.example/joe
t_is "$out" "uid=$uid_v USER=joe@mbox.example HOME=$U MAILDIR=$U/Maildir/ PWD=$U Q=1048576S EVIL=unset IP=192.0.2.7" \
    "session: uid quailv, USER, HOME, MAILDIR, cwd, quota; env cleaned"
test -d "$U/Maildir/new" && test "$(stat -c %U "$U/Maildir")" = "$quailv"
t_ok $? "first login creates the Maildir as quailv"
out=$(auth JOE@Mbox.Example yes-secret)
t_ok $? "user name is matched without regard to case"

start=$(date +%s.%N)
auth joe@mbox.example Bad-Pass-42 >/dev/null
t_is $? 1 "yescrypt user, wrong password: exit 1"
end=$(date +%s.%N)
awk "BEGIN { exit !($end - $start >= 1) }"
t_ok $? "a failure is answered only after a delay (>= 1 s)"
grep -q 'failed login for joe@mbox.example from 192.0.2.7 service -: wrong password' "$W/log"
t_ok $? "failure logged with user, address and reason"
! grep -q -e Bad-Pass-42 -e yes-secret -e sha-secret "$W/log"
t_ok $? "the password is never logged"

out=$(auth ann@mbox.example sha-secret QUAIL_SERVICE=imap)
t_ok $? "sha512-crypt user, right password (imap)"
auth ann@mbox.example sha-secret QUAIL_SERVICE=pop3 >/dev/null
t_is $? 1 "nopop: refused for pop3"
auth ann@mbox.example sha-secret >/dev/null
t_is $? 1 "a no* flag with no service named: refused (fail closed)"
auth ann@mbox.example yes-secret QUAIL_SERVICE=imap >/dev/null
t_is $? 1 "sha512-crypt user, wrong password"
auth off@mbox.example '' >/dev/null
t_is $? 1 "disabled hash '!': refused even with an empty password"
auth nobody@mbox.example x >/dev/null
t_is $? 1 "unknown virtual user: exit 1"
auth "$quailv" x >/dev/null
t_is $? 1 "system users refused unless control/authsystem allows"

printf 'joe@mbox.example' >"$W/req"
"$A" "$T_BIN/t-env" 3<"$W/req" 2>/dev/null
t_is $? 2 "request without NULs: exit 2"
head -c 600 /dev/zero | tr '\0' a >"$W/req"
"$A" "$T_BIN/t-env" 3<"$W/req" 2>/dev/null
t_is $? 1 "request over 512 bytes: refused"
"$A" 2>/dev/null
t_is $? 2 "no program: usage, exit 2"

t_is "$(stat -c '%U %G %a' "$A")" "root $nofiles 4710" \
    "installed setuid root, executable by group nofiles only"
printf '%s\0%s\0\0' joe@mbox.example yes-secret >"$W/req"
out=$(setpriv --reuid="$quaild" --regid="$nofiles" --clear-groups \
    "$A" "$T_BIN/t-env" 3<"$W/req" 2>>"$W/log")
echo "$out" | grep -q "^uid=$uid_v USER=joe@mbox.example"
t_ok $? "run by quaild (setuid route): session as quailv"
setpriv --reuid="$quaild" --regid="$nofiles" --clear-groups \
    "$A" /bin/sh -c id 3<"$W/req" 2>/dev/null
t_is $? 2 "run by quaild: a program outside HOME/bin is refused"
setpriv --reuid="$quaild" --regid="$nofiles" --clear-groups \
    cat "$T_HOME/control/mailboxes.cdb" >/dev/null 2>&1
t_ok $((! $?)) "quaild cannot read mailboxes.cdb itself"
t_done
