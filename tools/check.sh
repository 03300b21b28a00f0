#!/bin/sh
# check.sh HOME: verify an installed quail tree against tools/hier.
# check.sh --list HOME: print tools/hier expanded for HOME (real user names
#   from conf-users, the 64 split dirs, one line per program and man page
#   found in the source tree); tools/setup.sh installs from this list.
#
# Prints one line per difference ("PATH: mode 755, want 700") and exits 0
# only if there is none; 100 on usage errors, 111 if it cannot read the
# table.  Only root can see into queue/ and ssl/, so only root may check;
# --list runs as anybody.

SRC=$(cd "$(dirname "$0")/.." && pwd)
DIRS="ctl smtpd queue send lspawn local remote tls auth imapd pop3d"

usage() {
	echo "usage: check.sh [--list] HOME" >&2
	exit 100
}

# sources: "P dir/prog" per program, "M dir/page.N" per man page and
# "B boot/SVC/run" or "B boot/SVC/log/run" per supervise run script.
sources() {
	for d in $DIRS; do
		for f in "$SRC/$d"/quail-*.c; do
			[ -f "$f" ] && echo "P $d/$(basename "$f" .c)"
		done
	done
	[ -f "$SRC/queue/sendmail.c" ] && echo "P queue/sendmail"
	for f in "$SRC"/boot/*/run "$SRC"/boot/*/log/run; do
		[ -f "$f" ] && echo "B ${f#"$SRC"/}"
	done
	for d in $DIRS; do
		for f in "$SRC/$d"/*.[1-8]; do
			[ -f "$f" ] && echo "M $d/$(basename "$f")"
		done
	done
	return 0
}

# expand: conf-users, hier and the sources -> the full table:
#   g NAME | u NAME GROUP HOMEPATH | d|p|c PATH OWNER GROUP MODE [CONTENT]
#   x PATH OWNER GROUP MODE BUILD-RELATIVE-SOURCE
#   m PATH OWNER GROUP MODE SOURCE-RELATIVE-PAGE
expand() {
	sources | awk '
BEGIN {
	split("alias quaild quaill quailq quailr quails quailt quailv quail nofiles", role, " ")
	name["root"] = "root"
	bad = 0
}
FNR == 1 { f++ }
f == 1 {
	if (FNR <= 10 && NF == 1 && $1 ~ /^[a-z_][a-z0-9_-]*$/)
		name[role[FNR]] = $1
	next
}
function who(x) {
	if (!(x in name)) {
		printf "hier:%d: unknown user or group %s\n", FNR, x > "/dev/stderr"
		bad = 1
	}
	return name[x]
}
function oops(why) {
	printf "hier:%d: %s\n", FNR, why > "/dev/stderr"
	bad = 1
}
function obj(t, p, o, g, m, x) {
	if (m !~ /^[0-7][0-7][0-7][0-7]$/)
		oops("mode must be four octal digits: " m)
	printf "%s %s %s %s %s%s\n", t, p, who(o), who(g), m, (x == "" ? "" : " " x)
	if (t == "d")
		isdir[p] = 1
}
f == 2 {
	sub(/#.*/, "")
	if (NF == 0)
		next
	t = $1
	if (t == "g") {
		if (NF != 2) oops("want: g NAME")
		print "g " who($2)
	} else if (t == "u") {
		if (NF != 4) oops("want: u NAME GROUP HOME")
		print "u " who($2) " " who($3) " " $4
	} else if (t == "d" || t == "p" || t == "c") {
		if (NF != 5 + (t == "c")) oops("wrong number of fields")
		if ($2 ~ /\/%64$/) {
			base = substr($2, 1, length($2) - 3)
			for (i = 0; i < 64; i++)
				obj(t, base i, $3, $4, $5, $6)
		} else
			obj(t, $2, $3, $4, $5, $6)
	} else if (t == "x") {
		if (NF != 5) oops("want: x bin/NAME OWNER GROUP MODE")
		if ($2 == "bin/*")
			xdef = $3 " " $4 " " $5
		else
			xm[$2] = $3 " " $4 " " $5
	} else if (t == "m") {
		if (NF != 5) oops("want: m DIR OWNER GROUP MODE")
		mdir = $2; mo = $3; mg = $4; mm = $5
	} else
		oops("unknown type " t)
	next
}
f == 3 && $1 == "P" {
	n = split($2, a, "/")
	p = "bin/" a[n]
	s = (p in xm) ? xm[p] : xdef
	if (s == "") {
		oops("no x bin/* default")
		next
	}
	split(s, w, " ")
	obj("x", p, w[1], w[2], w[3], $2)
	next
}
f == 3 && $1 == "M" {
	n = split($2, a, "/")
	sec = substr(a[n], length(a[n]))
	d = mdir "/man" sec
	if (!(d in isdir))
		obj("d", d, mo, mg, "0755")
	obj("m", d "/" a[n], mo, mg, mm, $2)
	next
}
# A service directory: boot/SVC (and boot/SVC/log) root:quail 0755, the
# run script 0755, and log/SVC for its multilog (quaill 0750).
f == 3 && $1 == "B" {
	n = split($2, a, "/")
	d = a[1] "/" a[2]
	if (!(d in isdir))
		obj("d", d, "root", "quail", "0755")
	if (n == 4 && !((d "/log") in isdir))
		obj("d", d "/log", "root", "quail", "0755")
	if (n == 4 && !(("log/" a[2]) in isdir))
		obj("d", "log/" a[2], "quaill", "quail", "0750")
	obj("m", $2, "root", "quail", "0755", $2)
	next
}
END { exit bad }
' "$SRC/conf-users" "$SRC/tools/hier" -
}

case ${1-} in
--list)
	[ $# -eq 2 ] || usage
	expand
	exit $?
	;;
esac
[ $# -eq 1 ] || usage
if [ "$(id -u)" != 0 ]; then
	echo "check.sh: must be run as root (queue/ and ssl/ are closed)" >&2
	exit 100
fi
HOME_=${1%/}
[ -d "$HOME_" ] || {
	echo "$HOME_: missing"
	exit 1
}
tab=$(expand) || exit 111

# want: "type owner group mode" -> differences on stdout
diffs=$(echo "$tab" | while read -r t p o g m _; do
	case $t in
	g)
		getent group "$p" >/dev/null || echo "group $p: missing"
		continue
		;;
	u)
		ent=$(getent passwd "$p") || {
			echo "user $p: missing"
			continue
		}
		sh=${ent##*:}
		gid=$(echo "$ent" | cut -d: -f4)
		gn=$(getent group "$gid" | cut -d: -f1)
		[ "$sh" = /usr/sbin/nologin ] ||
		    echo "user $p: shell $sh, want /usr/sbin/nologin"
		[ "$gn" = "$o" ] || echo "user $p: group ${gn:-$gid}, want $o"
		continue
		;;
	d) want=directory ;;
	p) want=fifo ;;
	*) want="file" ;;
	esac
	if [ "$p" = . ]; then
		f=$HOME_
	else
		f=$HOME_/$p
	fi
	if [ ! -e "$f" ] && [ ! -L "$f" ]; then
		echo "$f: missing"
		continue
	fi
	# shellcheck disable=SC2046
	set -- $(stat -c '%U %G %a %F' "$f")
	case $4 in
	directory) got=directory ;;
	fifo) got=fifo ;;
	regular) got="file" ;;
	*) got=$4 ;;
	esac
	if [ "$got" != "$want" ]; then
		echo "$f: type $got, want $want"
		continue
	fi
	[ "$1" = "$o" ] || echo "$f: owner $1, want $o"
	[ "$2" = "$g" ] || echo "$f: group $2, want $g"
	[ "$(printf %04o $((0$3)))" = "$m" ] ||
	    echo "$f: mode $(printf %04o $((0$3))), want $m"
done)

# Any setuid or setgid file the table does not list is a difference too.
# mail/ and queue/ are left out: they may hold millions of files.
listed=$(echo "$tab" | awk '$1 ~ /^[xmc]$/ { print $2 }')
extra=$(find "$HOME_" \( -path "$HOME_/mail" -o -path "$HOME_/queue" \) \
    -prune -o -type f -perm /6000 -printf '%P\n' 2>/dev/null |
    while read -r p; do
	echo "$listed" | grep -qxF "$p" ||
	    echo "$HOME_/$p: setuid or setgid, not in tools/hier"
    done)
[ -n "$extra" ] && diffs=$(printf '%s\n%s' "$diffs" "$extra" | grep .)
if [ -n "$diffs" ]; then
	echo "$diffs"
	exit 1
fi
exit 0
