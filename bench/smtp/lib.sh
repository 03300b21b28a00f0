# bench/smtp/lib.sh: helpers for bench/smtp/run (sourced, plain sh).
#
#   now                  wall clock in seconds with nanoseconds
#   elapsed T0 T1        T1 - T0, 3 decimals
#   rate N T0 T1         N / (T1 - T0), 1 decimal ("-" when T1 <= T0)
#   ratio A B            A / B, 2 decimals ("-" unless both are numbers)
#   nfiles DIR...        regular files directly in each DIR (summed)
#   nfiles_deep DIR      regular files anywhere below DIR
#   wait_count N SECS CMD...  until "CMD" prints >= N, at most SECS; 0 or 1
#   wait_port PORT SECS  until something accepts on 127.0.0.1:PORT
#   free_port            an unused TCP port on 127.0.0.1
#   stop_pid PID [SECS]  TERM, wait (bounded), then KILL: only our own pids
#   wait_empty SECS CMD...  until "CMD" prints 0, at most SECS; 0 or 1
#   wait_exit PID SECS   until PID is gone, at most SECS; 0 or 1
#   say TEXT             progress line on stderr

say() {
	echo "bench: $*" >&2
}

now() {
	date +%s.%N
}

elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", b - a }'
}

rate() {
	awk -v n="$1" -v a="$2" -v b="$3" \
	    'BEGIN { if (b > a) printf "%.1f\n", n / (b - a); else print "-" }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)
			printf "%.2f\n", a / b
		else
			print "-"
	}'
}

nfiles() {
	find "$@" -mindepth 1 -maxdepth 1 -type f 2>/dev/null | wc -l
}

nfiles_deep() {
	find "$1" -type f 2>/dev/null | wc -l
}

# wait_count N SECS CMD...: poll every 0.2 s.
wait_count() {
	wc_n=$1
	wc_left=$(($2 * 5))
	shift 2
	while [ "$wc_left" -gt 0 ]; do
		[ "$("$@")" -ge "$wc_n" ] && return 0
		sleep 0.2
		wc_left=$((wc_left - 1))
	done
	return 1
}

wait_port() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + secs
while time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	sp_left=$((${2:-10} * 10))
	while kill -0 "$1" 2>/dev/null && [ "$sp_left" -gt 0 ]; do
		sleep 0.1
		sp_left=$((sp_left - 1))
	done
	kill -KILL "$1" 2>/dev/null
	return 0
}

# wait_empty SECS CMD...: until "CMD" prints 0, at most SECS; 0 or 1
wait_empty() {
	we_left=$(($1 * 5))
	shift
	while [ "$we_left" -gt 0 ]; do
		[ "$("$@")" -eq 0 ] && return 0
		sleep 0.2
		we_left=$((we_left - 1))
	done
	return 1
}

# wait_exit PID SECS: until PID is gone, at most SECS; 0 or 1
wait_exit() {
	[ -n "$1" ] || return 0
	wx_left=$(($2 * 10))
	while kill -0 "$1" 2>/dev/null; do
		[ "$wx_left" -gt 0 ] || return 1
		sleep 0.1
		wx_left=$((wx_left - 1))
	done
	return 0
}
