#!/bin/sh
# 10-ctl.t: quail-ctl compile / --check / --diff / rollback / show / check
# on an installed home: malformed sources are refused with file:line and
# leave every CDB byte for byte as it was; valid ones give CDBs that
# Debian's cdb(1) reads.
. "${QUAIL_SRC:-.}/tests/lib/lib.sh"
t_home
command -v cdb >/dev/null || t_skip_all "cdb(1) from tinycdb missing"
Q=$T_BIN/quail-ctl
C=$T_HOME/control
cd "$T_HOME" || exit 1

"$Q" check >/dev/null 2>&1
t_ok $? "a freshly installed home passes quail-ctl check"

H86=$(printf '%86s' '' | tr ' ' a)
H43=$(printf '%43s' '' | tr ' ' b)
printf 'example.com\n.example.net\n# comment\n\nlocal.example\n' >"$C/rcpthosts"
printf 'local.example\n' >"$C/locals"
printf 'joe@mbox.example:$6$salt$%s:10M:nopop\nann@mbox.example:$y$j9T$abc$%s\n' \
    "$H86" "$H43" >"$C/mailboxes"
printf 'info@alias.example: joe@mbox.example, ann@mbox.example\n@alias.example: joe@mbox.example\n' \
    >"$C/aliases"
printf 'virt.example:vprefix\n' >"$C/virtualdomains"
printf 'example.com:relay.example.net:2525\n' >"$C/smtproutes"
printf '@spam.example\nbad@example.org\n' >"$C/badmailfrom"
printf '=sam:nobody:65534:65534:/nonexistent:::\n+list-:nobody:65534:65534:/nonexistent:-::\n.\n' \
    >"$T_HOME/users/assign"
: >"$T_HOME/alias/.qmail-sales-default"
: >"$T_HOME/alias/.qmail-root"
: >"$T_HOME/alias/.qmail-vprefix-help"
: >"$T_HOME/alias/.qmail-vprefix-team-default"

out=$("$Q" compile 2>&1)
t_ok $? "valid sources compile"
# setup wrote rcpthosts with the host's name: replaced by three domains
echo "$out" | grep -qx 'control/rcpthosts.cdb: 3 added, 1 removed, 0 changed'
t_ok $? "compile reports rcpthosts.cdb: 3 added, 1 removed"
echo "$out" | grep -q '^control/virtualdomains.cdb: 1 added, 0 removed, 0 changed$'
t_ok $? "compile reports virtualdomains.cdb: 1 added"
cdb -q "$C/rcpthosts.cdb" example.com >/dev/null
t_ok $? "cdb -q rcpthosts.cdb example.com"
cdb -q "$C/rcpthosts.cdb" .example.net >/dev/null
t_ok $? "cdb -q rcpthosts.cdb .example.net"
cdb -q "$C/rcpthosts.cdb" other.example >/dev/null
t_is $? 100 "cdb -q rcpthosts.cdb other.example: not found"
t_is "$(cdb -q "$C/smtproutes.cdb" example.com)" "relay.example.net:2525" \
    "smtproutes value"
t_is "$(cdb -q "$C/locals.cdb" mbox.example)" "virtual" \
    "mailbox domains are local (virtual)"
t_is "$(cdb -q "$C/mailboxes.cdb" joe@mbox.example | tr '\0' '|')" \
    "\$6\$salt\$$H86|10485760|nopop|$T_HOME/mail/mbox.example/joe/Maildir/" \
    "mailboxes.cdb value: hash, quota, flags, maildir"
t_is "$(cdb -q "$C/aliases.cdb" info@alias.example | tr '\0' '|')" \
    "joe@mbox.example|ann@mbox.example" "aliases.cdb targets"
t_is "$(cdb -q "$T_HOME/users/assign.cdb" +list- | tr '\0' '|')" \
    "nobody|65534|65534|/nonexistent|-|" "users/assign.cdb value"
t_is "$(stat -c %a "$C/mailboxes.cdb")" 600 "mailboxes.cdb (hashes) is 0600"

for k in @local.example postmaster@local.example sam@local.example \
    'list-*@local.example' root@local.example 'sales-*@local.example' \
    @mbox.example joe@mbox.example 'joe-*@mbox.example' \
    'joe+*@mbox.example' ann@mbox.example postmaster@mbox.example \
    @alias.example info@alias.example '*@alias.example' \
    @virt.example help@virt.example 'team-*@virt.example'; do
	cdb -q "$C/rcpt.cdb" "$k" >/dev/null
	t_ok $? "rcpt.cdb has $k"
done
for k in nobody@local.example bob@mbox.example '*@mbox.example' \
    root@virt.example; do
	cdb -q "$C/rcpt.cdb" "$k" >/dev/null
	t_is $? 100 "rcpt.cdb has no $k"
done
t_is "$(cdb -q "$C/rcpt.cdb" joe@mbox.example)" "control/mailboxes:1" \
    "rcpt.cdb values name the source line"

# ---- malformed samples: file:line, exit 100, nothing changed -----------
mkdir "$T_HOME/save"
cp -p "$C"/*.cdb "$T_HOME/users/assign.cdb" "$T_HOME/save/"
same() {
	for f in "$T_HOME"/save/*.cdb; do
		b=$(basename "$f")
		if [ "$b" = assign.cdb ]; then
			cmp -s "$f" "$T_HOME/users/$b" || return 1
		else
			cmp -s "$f" "$C/$b" || return 1
		fi
	done
	[ -z "$(ls "$C" | grep '\.tmp$')" ]
}
bad() { # file line content...
	f=$1 want=$2
	shift 2
	cp -p "$T_HOME/$f" "$T_HOME/good"
	printf '%s\n' "$@" >"$T_HOME/$f"
	err=$("$Q" compile 2>&1 >/dev/null)
	rc=$?
	mv "$T_HOME/good" "$T_HOME/$f"
	t_is "$rc" 100 "malformed $f ($*): exit 100"
	echo "$err" | grep -q "^$f:$want: "
	t_ok $? "  reported as $f:$want"
	[ $? -eq 0 ] || t_diag "$err"
	same
	t_ok $? "  CDBs untouched"
}
bad control/rcpthosts 2 example.com 'bad..example'
bad control/rcpthosts 3 example.com '# c' example.com
bad control/rcpthosts 1 'exa mple.com'
bad control/locals 1 '.local.example'
bad control/mailboxes 1 'joe@mbox.example:plaintext'
bad control/mailboxes 1 "joe@mbox.example:\$6\$salt\$$H86:10Q"
bad control/mailboxes 2 "joe@mbox.example:!" "joe@mbox.example:!"
bad control/mailboxes 1 "joe@mbox.example:!:0:nopop:extra"
bad control/mailboxes 1 "joe:!"
bad control/aliases 1 'info@alias.example'
bad control/aliases 1 'info@alias.example: joe, '
bad control/aliases 1 'info@alias.example: |/bin/sh'
bad control/virtualdomains 1 'virt.example'
bad control/virtualdomains 1 'virt..example:joe'
bad control/smtproutes 1 'example.com:relay:99999'
bad control/badmailfrom 1 'nobody'
bad users/assign 1 '=r:root:0:0:/root:::' .
bad users/assign 1 '=x:x:1:1:relative:::' .
bad users/assign 1 '=x:x:1:1:/x::' .
bad users/assign 1 '=x:x:1:1:/x:::junk' .
bad users/assign 2 '=x:x:1:1:/x:::' '=X:y:2:2:/y:::' .
bad users/assign 1 '=x:x:1:1:/x:::'
bad users/assign 2 . '=x:x:1:1:/x:::'
printf 'ok.example\r\n' >"$T_HOME/crlf"
cp -p "$C/locals" "$T_HOME/good"
cp "$T_HOME/crlf" "$C/locals"
"$Q" compile 2>&1 | grep -q '^control/locals:1: '
t_ok $? "CR in a line is reported"
mv "$T_HOME/good" "$C/locals"
same
t_ok $? "  CDBs untouched"

# ---- --check, --diff, compile, rollback ---------------------------------
printf 'new.example\n' >>"$C/rcpthosts"
out=$("$Q" compile --check 2>&1)
t_ok $? "compile --check accepts valid sources"
same
t_ok $? "compile --check changes nothing"
out=$("$Q" compile --diff 2>&1)
t_ok $? "compile --diff"
echo "$out" | grep -q '^control/rcpthosts.cdb: +new.example'
t_ok $? "--diff lists +new.example"
same
t_ok $? "compile --diff changes nothing"
out=$("$Q" compile 2>&1)
t_is "$out" "control/rcpthosts.cdb: 1 added, 0 removed, 0 changed" \
    "compile reports only what changed"
cdb -q "$C/rcpthosts.cdb" new.example >/dev/null
t_ok $? "new.example now in rcpthosts.cdb"
t_is "$("$Q" compile 2>&1)" "quail-ctl: no changes" "second compile: no changes"
cmp -s "$C/rcpthosts.cdb.prev" "$T_HOME/save/rcpthosts.cdb"
t_ok $? "previous generation kept as rcpthosts.cdb.prev"
out=$("$Q" rollback 2>&1)
t_ok $? "rollback"
t_is "$out" "control/rcpthosts.cdb: restored previous generation: 0 added, 1 removed, 0 changed" \
    "rollback reports what it restored"
same
t_ok $? "rollback restored the CDBs byte for byte"

# ---- show and check ---------------------------------------------------
out=$("$Q" show)
t_ok $? "show"
echo "$out" | grep -q '^databytes  *52428800 (default)$'
t_ok $? "show: databytes default"
echo "$out" | grep -q '^me  *.* (from control/me)$'
t_ok $? "show: me from control/me"
echo 1000000 >"$C/databytes"
"$Q" show | grep -q '^databytes  *1000000 (from control/databytes)$'
t_ok $? "show: databytes from control/databytes"
touch -d '+2 minutes' "$C/rcpthosts"
"$Q" show | grep -q '^control/rcpthosts.cdb .*stale'
t_ok $? "show: stale rcpthosts.cdb"
out=$("$Q" check 2>&1)
t_is $? 100 "check fails on a stale CDB"
echo "$out" | grep -q '^control/rcpthosts.cdb: stale'
t_ok $? "check names the stale CDB"
rm -f "$C/me"
"$Q" check 2>&1 | grep -q '^control/me: missing'
t_ok $? "check: control/me missing"
t_done
