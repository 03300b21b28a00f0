# bench/smtp/postfix.sh: a private Postfix instance for bench/smtp/run
# (sourced).  Debian's binaries, our own config_directory; queue, data,
# log and Maildirs all under one root on the benchmark filesystem, so the
# host's /etc/postfix and /var/spool/postfix are never used or touched.
#
#   pf_config ROOT PORT MODE UID GID CERT
#       write ROOT/etc/{main.cf,master.cf,vmailbox}.  MODE accept: smtpd,
#       cleanup and what they call, but no qmgr, so accepted mail stays in
#       the incoming queue (as quail's accept run has no quail-send), and
#       in_flow_delay = 0 (else smtpd waits 1 s per message for qmgr);
#       MODE e2e: also qmgr and virtual(8), delivering u@bench.test into
#       ROOT/mail/bench.test/u/Maildir/ as UID:GID.  CERT (certificate
#       and key in one PEM file, as quail's ssl/servercert.pem) is copied
#       to ROOT/etc; smtpd offers STARTTLS with it, as quail-smtpd does;
#       CERT "": no STARTTLS.
#   pf_start ROOT       postfix start (creates missing queue directories)
#   pf_stop ROOT        postfix stop, bounded; then the master pid is gone
#   pf_master ROOT      the master's pid, if it runs
#   pf_queued ROOT      files in the queue (incoming, active, deferred, ...)
#
# Everything else is Postfix 3.7's default, notably: the queue file is
# fsynced before smtpd answers 250 (cleanup), smtpd/cleanup processes are
# reused, in_flow_delay = 1s, virtual_destination_concurrency_limit = 20.

pf_config() {
	pf_root=$1
	mkdir -p "$pf_root/etc" "$pf_root/spool" "$pf_root/data" \
	    "$pf_root/mail"
	chown postfix "$pf_root/data"
	chown "$4:$5" "$pf_root/mail"
	[ -n "$6" ] && install -m 600 "$6" "$pf_root/etc/servercert.pem"
	cat >"$pf_root/etc/main.cf" <<EOF
# written by bench/smtp/run
compatibility_level = 3.6
queue_directory = $pf_root/spool
data_directory = $pf_root/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $pf_root/maillog
maillog_file_prefixes = $pf_root
myhostname = mx.bench.test
mydomain = bench.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtpd_banner = \$myhostname ESMTP
virtual_mailbox_domains = bench.test
virtual_mailbox_maps = texthash:$pf_root/etc/vmailbox
virtual_mailbox_base = $pf_root/mail
virtual_uid_maps = static:$4
virtual_gid_maps = static:$5
EOF
	[ -n "$6" ] && cat >>"$pf_root/etc/main.cf" <<EOF
smtpd_tls_security_level = may
smtpd_tls_cert_file = $pf_root/etc/servercert.pem
smtpd_tls_key_file = \$smtpd_tls_cert_file
EOF
	# in_flow_delay paces smtpd by qmgr's delivery rate (tokens from
	# qmgr); with no qmgr every message would wait the full 1 s
	[ "$3" = accept ] && echo "in_flow_delay = 0" >>"$pf_root/etc/main.cf"
	echo "u@bench.test bench.test/u/Maildir/" >"$pf_root/etc/vmailbox"
	# service type private unpriv chroot wakeup maxproc command
	{
		echo "127.0.0.1:$2 inet n - n - - smtpd"
		echo "cleanup unix n - n - 0 cleanup"
		echo "rewrite unix - - n - - trivial-rewrite"
		echo "bounce unix - - n - 0 bounce"
		echo "defer unix - - n - 0 bounce"
		echo "trace unix - - n - 0 bounce"
		echo "verify unix - - n - 1 verify"
		echo "flush unix n - n 1000? 0 flush"
		echo "proxymap unix - - n - - proxymap"
		echo "anvil unix - - n - 1 anvil"
		echo "error unix - - n - - error"
		echo "retry unix - - n - - error"
		echo "discard unix - - n - - discard"
		echo "postlog unix-dgram n - n - 1 postlogd"
		echo "tlsmgr unix - - n 1000? 1 tlsmgr"
		if [ "$3" = e2e ]; then
			echo "qmgr unix n - n 300 1 qmgr"
			echo "virtual unix - n n - - virtual"
		fi
	} >"$pf_root/etc/master.cf"
}

pf_master() {
	pf_pid=$(sed -n '1s/[^0-9]//gp' "$1/spool/pid/master.pid" 2>/dev/null)
	[ -n "$pf_pid" ] && kill -0 "$pf_pid" 2>/dev/null && echo "$pf_pid"
	return 0
}

pf_start() {
	postfix -c "$1/etc" check >>"$1/start.log" 2>&1 &&
	    postfix -c "$1/etc" start >>"$1/start.log" 2>&1
}

pf_stop() {
	pf_m=$(pf_master "$1")
	[ -n "$pf_m" ] || return 0
	timeout 30 postfix -c "$1/etc" stop >>"$1/start.log" 2>&1
	pf_left=100
	while kill -0 "$pf_m" 2>/dev/null && [ "$pf_left" -gt 0 ]; do
		sleep 0.1
		pf_left=$((pf_left - 1))
	done
	stop_pid "$pf_m" 5
}

pf_queued() {
	find "$1/spool/incoming" "$1/spool/active" "$1/spool/deferred" \
	    "$1/spool/hold" "$1/spool/maildrop" -type f 2>/dev/null | wc -l
}
