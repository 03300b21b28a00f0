#!/bin/sh
# setup.sh HOME BUILD: install quail into HOME from the programs in BUILD.
# Run as root (by "make QHOME=HOME setup").  Idempotent: a second run
# changes nothing but owners and modes that drifted, and replaces each
# program atomically (copy to NAME.new, then rename), so a running system
# can be upgraded in place.
#
#   1. groups and users from tools/hier (under a lock: test runs install
#      concurrently, and useradd is not atomic against another useradd)
#   2. the tree of tools/hier, control defaults only where missing
#   3. programs from BUILD and man pages from the source tree
#   4. HOME/bin/quail-ctl compile, if quail-ctl is installed
# Exits 0, 100 on usage errors, 111 on any failure.

set -eu
umask 022
SRC=$(cd "$(dirname "$0")/.." && pwd)
LOCK=/run/quail-setup.lock

die() {
	echo "setup: fatal: $*" >&2
	exit 111
}

[ $# -eq 2 ] || {
	echo "usage: setup.sh HOME BUILD" >&2
	exit 100
}
HOME_=${1%/}
BUILD=${2%/}
case $HOME_ in
/?*) ;;
*) echo "setup: HOME must be an absolute path: $1" >&2; exit 100 ;;
esac
case $HOME_ in
*[[:space:]]*) echo "setup: HOME must not contain white space" >&2; exit 100 ;;
esac
[ "$(id -u)" = 0 ] || die "must be run as root (it creates users)"
[ -d "$BUILD" ] && BUILD=$(cd "$BUILD" && pwd)

tab=$(sh "$SRC/tools/check.sh" --list "$HOME_") || die "tools/hier is broken"
default_home=$(sed 1q "$SRC/conf-home")

# ---- 1. groups and users ----------------------------------------------------

# user NAME GROUP HOME: create it, or repair shell and group.  The home of
# an existing user is changed only for the production home (conf-home):
# temporary test homes must not take over the passwd entry.
user() {
	if ! getent passwd "$1" >/dev/null; then
		useradd -r -M -g "$2" -d "$3" -s /usr/sbin/nologin \
		    -c "quail $1" "$1" || die "useradd $1 failed"
		return
	fi
	ent=$(getent passwd "$1")
	[ "${ent##*:}" = /usr/sbin/nologin ] ||
	    usermod -s /usr/sbin/nologin "$1" || die "usermod $1"
	gid=$(echo "$ent" | cut -d: -f4)
	[ "$(getent group "$gid" | cut -d: -f1)" = "$2" ] ||
	    usermod -g "$2" "$1" || die "usermod $1"
	if [ "$HOME_" = "$default_home" ] &&
	    [ "$(echo "$ent" | cut -d: -f6)" != "$3" ]; then
		usermod -d "$3" "$1" || die "usermod $1"
	fi
}

accounts() {
	echo "$tab" | while read -r t n g h; do
		case $t in
		g)
			getent group "$n" >/dev/null || groupadd -r "$n" ||
			    die "groupadd $n failed"
			;;
		u)
			[ "$h" = . ] && h=$HOME_ || h=$HOME_/$h
			user "$n" "$g" "$h"
			;;
		esac
	done
}

mkdir -p /run
exec 9>"$LOCK"
flock -w 300 9 || die "cannot lock $LOCK"
accounts
flock -u 9
exec 9>&-

# ---- 2. and 3. the tree -----------------------------------------------------

me=
hostname_me() {
	if [ -z "$me" ]; then
		me=$(timeout 5 hostname -f 2>/dev/null) || me=
		case $me in
		'' | *[!A-Za-z0-9.-]* | .* | *..*) me=localhost ;;
		esac
	fi
}

# fix PATH OWNER GROUP MODE: chown before chmod (chown clears setuid bits);
# five digits so that GNU chmod also clears a directory's setgid bit.
fix() {
	chown "$2:$3" "$1" && chmod "0$4" "$1" || die "cannot set $1"
}

# put SRCFILE PATH OWNER GROUP MODE: atomic replace through PATH.new.
put() {
	rm -f "$2.new"
	cp "$1" "$2.new" || die "cannot copy $1 to $2.new"
	fix "$2.new" "$3" "$4" "$5"
	mv -f "$2.new" "$2" || die "cannot rename $2.new"
}

mkdir -p "$HOME_" || die "cannot create $HOME_"
echo "$tab" | while read -r t p o g m x; do
	[ "$p" = . ] && f=$HOME_ || f=$HOME_/$p
	case $t in
	d)
		if [ ! -d "$f" ]; then
			[ -e "$f" ] && die "$f exists and is not a directory"
			mkdir "$f" || die "cannot create $f"
		fi
		fix "$f" "$o" "$g" "$m"
		;;
	p)
		if [ ! -p "$f" ]; then
			[ -e "$f" ] && die "$f exists and is not a FIFO"
			mkfifo "$f" || die "cannot create $f"
		fi
		fix "$f" "$o" "$g" "$m"
		;;
	c)
		if [ ! -e "$f" ]; then
			case $x in
			@me) hostname_me; x=$me ;;
			esac
			echo "$x" >"$f.new" && mv -f "$f.new" "$f" ||
			    die "cannot write $f"
		fi
		fix "$f" "$o" "$g" "$m"
		;;
	x)
		if [ -f "$BUILD/$x" ]; then
			put "$BUILD/$x" "$f" "$o" "$g" "$m"
		else
			echo "setup: warning: $BUILD/$x not built" >&2
		fi
		;;
	m)
		put "$SRC/$x" "$f" "$o" "$g" "$m"
		;;
	esac
done

# ---- 4. compile the control files -------------------------------------------

if [ -x "$HOME_/bin/quail-ctl" ]; then
	"$HOME_/bin/quail-ctl" compile || die "quail-ctl compile failed"
fi
exit 0
