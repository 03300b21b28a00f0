#!/bin/sh
# 00-setup.t: make QHOME=... setup installs users and the tree of
# tools/hier, make check verifies it and names every difference, and a
# second setup changes nothing but replaces the programs atomically.
. "${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/lib.sh"

t_home
cd "$QUAIL_SRC" || exit 1

# names in conf-users order: alias quaild quaill quailq quailr quails
# quailt quailv, group quail, group nofiles
set -- $(sed 10q conf-users)
U_ALIAS=$1 U_D=$2 U_L=$3 U_Q=$4 U_R=$5 U_S=$6 U_T=$7 U_V=$8 G_Q=$9
shift 9
G_N=$1

t_skip() {
	T_N=$((T_N + 1))
	echo "ok $T_N # skip $*"
}

# check: the differences on stdout (make's own complaint goes to stderr)
check() {
	make -s -C "$QUAIL_SRC" QHOME="$T_HOME" check 2>/dev/null
}

setup() {
	make -s -C "$QUAIL_SRC" BUILD="$QUAIL_BUILD" QHOME="$T_HOME" setup \
	    >/dev/null 2>&1
}

# as USER GROUP CMD...: run CMD with exactly that uid and gid.
as() {
	u=$1 g=$2
	shift 2
	setpriv --reuid="$u" --regid="$g" --clear-groups "$@" 2>/dev/null
}

# --- users ---------------------------------------------------------------
for u in "$U_ALIAS:$G_N" "$U_D:$G_N" "$U_L:$G_N" "$U_Q:$G_Q" "$U_R:$G_Q" \
    "$U_S:$G_Q" "$U_T:$G_N" "$U_V:$G_N"; do
	name=${u%%:*} grp=${u#*:}
	ent=$(getent passwd "$name")
	t_is "${ent##*:}" /usr/sbin/nologin "user $name has no login shell"
	gid=$(echo "$ent" | cut -d: -f4)
	t_is "$(getent group "$gid" | cut -d: -f1)" "$grp" \
	    "user $name has primary group $grp"
	pw=$(getent shadow "$name" | cut -d: -f2)
	case $pw in
	'!'* | '*'*) r=0 ;;
	*) r=1 ;;
	esac
	t_ok $r "user $name has no password"
done

# --- the tree ------------------------------------------------------------
out=$(check)
t_ok $? "make check passes on a fresh install"
[ -n "$out" ] && t_diag "$out"

t_is "$(stat -c '%U:%G %a' "$T_HOME")" "root:$G_Q 755" "home is root 0755"
t_is "$(stat -c '%U:%G %a %F' "$T_HOME/queue/tmp")" \
    "$U_Q:$G_Q 2700 directory" "queue/tmp is setgid"
t_is "$(stat -c '%U:%G %a' "$T_HOME/queue/mess/0" "$T_HOME/queue/mess/63")" \
    "$(printf '%s\n%s' "$U_Q:$G_Q 750" "$U_Q:$G_Q 750")" "queue/mess/0..63"
t_is "$(stat -c '%U:%G %a' "$T_HOME/queue/info/63")" "$U_S:$G_Q 700" \
    "queue/info/63 belongs to quail-send"
t_is "$(stat -c '%U:%G %a' "$T_HOME/queue/todo")" "$U_Q:$G_Q 2770" "queue/todo"
t_is "$(stat -c '%U:%G %a %F' "$T_HOME/queue/lock/trigger")" \
    "$U_Q:$G_Q 660 fifo" "queue/lock/trigger is a FIFO"
t_is "$(stat -c '%U:%G %a' "$T_HOME/alias")" "$U_ALIAS:$G_Q 2755" "~alias"
t_ok "$(test -s "$T_HOME/control/me"; echo $?)" "control/me written"

if [ -f queue/quail-queue.c ]; then
	t_is "$(stat -c '%U:%G %a' "$T_HOME/bin/quail-queue")" \
	    "$U_Q:$G_Q 4711" "quail-queue is setuid $U_Q"
else
	t_skip "quail-queue not written yet"
fi
n_src=$(ls */quail-*.c queue/sendmail.c 2>/dev/null | grep -c .)
n_bin=$(ls "$T_HOME/bin" | grep -c .)
t_is "$n_bin" "$n_src" "one installed program per program source"

# Invariant 2: nothing a daemon in group nofiles could write, nothing
# anybody could write.
t_is "$(find "$T_HOME" -group "$G_N" -perm -g+w ! -type l)" "" \
    "nothing writable by group $G_N"
t_is "$(find "$T_HOME" -perm -o+w ! -type l)" "" "nothing world-writable"

# The permissions do what they are for.
as "$U_D" "$G_N" ls "$T_HOME/queue" >/dev/null
t_is $? 2 "$U_D cannot look into the queue"
as "$U_D" "$G_N" touch "$T_HOME/control/x"
t_ok $((! $?)) "$U_D cannot write control/"
as "$U_D" "$G_N" cat "$T_HOME/control/me" >/dev/null
t_ok $? "$U_D reads control/me"
as "$U_D" "$G_N" ls "$T_HOME/mail" >/dev/null
t_ok $((! $?)) "$U_D cannot look into mail/"
as "$U_S" "$G_Q" sh -c "touch '$T_HOME/queue/todo/t' && rm '$T_HOME/queue/todo/t'"
t_ok $? "$U_S can remove todo markers"
as "$U_S" "$G_Q" sh -c "exec 3<>'$T_HOME/queue/lock/trigger'"
t_ok $? "$U_S can open the trigger for reading and writing"
as "$U_S" "$G_Q" touch "$T_HOME/queue/mess/0/x"
t_ok $((! $?)) "$U_S cannot write into mess/"
as "$U_Q" "$G_N" sh -c "echo x >'$T_HOME/queue/tmp/t'"
t_is "$(stat -c %G "$T_HOME/queue/tmp/t")" "$G_Q" \
    "a file quail-queue makes for a caller of group $G_N gets group $G_Q"
rm -f "$T_HOME/queue/tmp/t"
as "$U_Q" "$G_Q" ls "$T_HOME/queue/info/0" >/dev/null
t_ok $((! $?)) "$U_Q cannot read quail-send's info/"

# --- idempotence ---------------------------------------------------------
tree() {
	find "$T_HOME" ! -name '*.cdb*' \
	    -printf '%P %y %u %g %m\n' | sort
}
ino() {
	ls -i "$T_HOME/bin" | sort -k2
}
before=$(tree)
ino_before=$(ino)
setup
t_ok $? "setup runs again"
t_is "$(tree)" "$before" "second setup leaves the tree as it was"
t_is "$(find "$T_HOME/bin" -name '*.new')" "" "no .new files left in bin/"
if [ -n "$ino_before" ]; then
	t_ok "$([ "$(ino)" != "$ino_before" ]; echo $?)" \
	    "programs were replaced by rename (new inodes)"
else
	t_skip "no programs yet"
fi
out=$(check)
t_ok $? "make check passes after the second setup"

# --- check names what is wrong -------------------------------------------
chmod 00755 "$T_HOME/queue/todo"
chown "$U_S" "$T_HOME/queue/mess/17"
rm "$T_HOME/queue/lock/trigger"
touch "$T_HOME/queue/lock/trigger"
echo changed >"$T_HOME/control/me"
chmod 600 "$T_HOME/control/me"
out=$(check)
t_ok $((! $?)) "make check fails on a broken tree"
echo "$out" | grep -q "^$T_HOME/queue/todo: mode 0755, want 2770\$"
t_ok $? "check names the wrong mode"
echo "$out" | grep -q "^$T_HOME/queue/mess/17: owner $U_S, want $U_Q\$"
t_ok $? "check names the wrong owner"
echo "$out" | grep -q "^$T_HOME/queue/lock/trigger: type file, want fifo\$"
t_ok $? "check names the wrong type"
echo "$out" | grep -q "^$T_HOME/control/me: mode 0600, want 0644\$"
t_ok $? "check names the control file's mode"
t_is "$(echo "$out" | grep -c .)" 4 "one line per difference"
[ -f queue/quail-queue.c ] && {
	chmod u-s "$T_HOME/bin/quail-queue"
	check | grep -q "^$T_HOME/bin/quail-queue: mode 0711, want 4711\$"
	t_ok $? "check names a lost setuid bit"
}

cp /bin/true "$T_HOME/boot/planted"
chmod 4755 "$T_HOME/boot/planted"
check | grep -q "^$T_HOME/boot/planted: setuid or setgid, not in tools/hier\$"
t_ok $? "check names a setuid file the table does not list"
rm "$T_HOME/boot/planted"

rm "$T_HOME/queue/lock/trigger"
setup
t_ok $? "setup repairs the tree"
t_ok "$(check >/dev/null; echo $?)" "make check passes after the repair"
t_is "$(cat "$T_HOME/control/me")" changed "setup keeps an existing control/me"

# --- usage ---------------------------------------------------------------
sh tools/setup.sh relative/home "$QUAIL_BUILD" 2>/dev/null
t_is $? 100 "setup refuses a relative home"

t_done
