#!/bin/sh
# deps.sh: install the Debian 12 packages that building quail and running
# its tests need.  Does nothing (and needs no network) when all are
# installed; otherwise runs apt-get update once and installs the missing
# ones.  Needs root for that.  Benchmarks install their own comparison
# servers; the Postfix interop test (97) installs postfix itself.
#
#   build: build-essential clang clang-format libclang-rt-14-dev (libFuzzer)
#          libssl-dev libcdb-dev libcrypt-dev
#   run:   tinycdb (cdb -q/-d) ucspi-tcp (tcpserver) daemontools (supervise,
#          multilog) openssl passwd (useradd) util-linux (flock)
#   tests: perl (prove) python3 (smtplib/imaplib/poplib) swaks curl
#          fetchmail iproute2 (ss) procps (pgrep, ps) psmisc (fuser)
#          dnsmasq-base (MX tests), isync (mbsync), mutt, offlineimap3,
#          dovecot-imapd (Maildir interop test; its service is not used)

PKGS="build-essential clang clang-format libclang-rt-14-dev libssl-dev
libcdb-dev libcrypt-dev tinycdb ucspi-tcp daemontools openssl passwd
util-linux perl python3 swaks curl fetchmail iproute2 procps psmisc dnsmasq-base
isync mutt offlineimap3 dovecot-imapd"

missing=
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps: fatal: not root; install these by hand:$missing" >&2
	exit 111
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get update -q && apt-get install -y -q --no-install-recommends $missing ||
    {
	echo "deps: fatal: apt-get failed" >&2
	exit 111
    }
exit 0
