# lib.sh: helpers for the integration tests (sourced by tests/integration/*.t).
#
#   . "${QUAIL_SRC:-.}/tests/lib/lib.sh"
#   t_home                 make a temporary home and install quail into it
#                          (make QHOME=$T_HOME setup); sets T_HOME, T_BIN
#   t_port                 print a free TCP port on 127.0.0.1
#   t_bg CMD...            start CMD in the background, remember its pid
#   t_wait_port PORT       wait (bounded) until something listens on PORT
#   t_ok COND-STATUS NAME  (use: cmd; t_ok $? "name")  0 = pass
#   t_is GOT WANT NAME
#   t_skip_all REASON
#   t_done                 print the plan, exit nonzero on failures
# Everything started with t_bg is killed by pid at exit, and the home is
# removed unless T_KEEP=1.  Tests run as root (they create users).

QUAIL_SRC=${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
QUAIL_BUILD=${QUAIL_BUILD:-build}
export QUAIL_SRC QUAIL_BUILD
T_N=0
T_FAIL=0
T_PIDS=
T_HOME=

t_cleanup() {
	for p in $T_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $T_PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$p" 2>/dev/null
	done
	if [ -n "$T_HOME" ] && [ -z "$T_KEEP" ]; then
		rm -rf "$T_HOME"
	fi
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM

t_ok() {
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok $T_N - $2"
	fi
}

t_is() {
	T_N=$((T_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $T_N - $3"
	else
		T_FAIL=$((T_FAIL + 1))
		echo "not ok $T_N - $3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
	fi
}

t_diag() {
	echo "$*" | sed 's/^/# /'
}

t_skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}

t_need_root() {
	[ "$(id -u)" = 0 ] || t_skip_all "needs root (creates users)"
}

# t_home: install a complete system into a fresh temporary home.
t_home() {
	t_need_root
	T_HOME=$(mktemp -d /tmp/quail-t.XXXXXX)
	chmod 755 "$T_HOME"
	T_BIN=$T_HOME/bin
	if ! make -s -C "$QUAIL_SRC" BUILD="$QUAIL_BUILD" QHOME="$T_HOME" \
	    setup >"$T_HOME.setup.log" 2>&1; then
		echo "Bail out! make QHOME=$T_HOME setup failed"
		sed 's/^/# /' "$T_HOME.setup.log"
		exit 1
	fi
	rm -f "$T_HOME.setup.log"
	export T_HOME T_BIN
}

t_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

t_bg() {
	"$@" &
	T_PIDS="$T_PIDS $!"
}

t_wait_port() {
	python3 - "$1" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# t_testcert DIR PEM: a test CA (DIR/ca.pem, 0644) and a server certificate
# for localhost and 127.0.0.1 signed by it; certificate, CA and key are
# written to PEM (0600), the form quail-tls reads.  Returns openssl's status.
t_testcert() {
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -subj /CN=quail-test-ca -keyout ca.key -out ca.pem \
		    >/dev/null 2>&1 &&
		    openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
			-keyout srv.key -out srv.csr >/dev/null 2>&1 &&
		    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' \
			>srv.ext &&
		    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -days 2 -extfile srv.ext -out srv.crt \
			>/dev/null 2>&1 &&
		    cat srv.crt ca.pem srv.key >"$2" &&
		    chmod 600 "$2" && chmod 644 ca.pem
	)
}
