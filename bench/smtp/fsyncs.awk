# bench/smtp/fsyncs.awk: count the sync calls in an "strace -f -ttt" log,
# per program, between two wall-clock times.
#
#   awk -v t0=START -v t1=END -f fsyncs.awk strace.log
#
# The log must trace execve and clone/clone3/fork/vfork besides the sync
# calls: a pid is named by the last program it exec'd, else by its
# parent's name at the fork.  Lines look like
#   PID SECONDS.MICRO call(args) = RESULT
#   PID SECONDS.MICRO call(args <unfinished ...>
#   PID SECONDS.MICRO <... call resumed>rest) = RESULT
# Output: one "program count" line per program that synced, then
# "total count" (fsync, fdatasync, sync, syncfs, msync: each may commit
# the journal; sync_file_range is listed apart and not in the total).  A call is counted at its start line.

function base(p) {
	sub(/.*\//, "", p)
	return p
}

function result(line) {
	if (match(line, /\) += -?[0-9]+/) == 0)
		return ""
	line = substr(line, RSTART, RLENGTH)
	sub(/.*= */, "", line)
	return line
}

{
	pid = $1
	ts = $2
	call = $3
	if (call == "<...") {
		call = $4
		resumed = 1
	} else {
		sub(/\(.*/, "", call)
		resumed = 0
	}
}

call == "execve" && !resumed && match($0, /execve\("[^"]*"/) {
	path[pid] = substr($0, RSTART + 8, RLENGTH - 9)
}

call == "execve" && result($0) == "0" && (pid in path) {
	name[pid] = base(path[pid])
}

(call == "clone" || call == "clone3" || call == "fork" || call == "vfork") {
	child = result($0)
	# the child may have exec'd before its parent's clone line is logged
	if (child != "" && child + 0 > 0 && !(child in name))
		name[child] = (pid in name) ? name[pid] : "?"
}

!resumed && ts >= t0 && ts <= t1 &&
    (call == "fsync" || call == "fdatasync" || call == "syncfs" ||
    call == "sync" || call == "msync") {
	n[(pid in name) ? name[pid] : "?"]++
	total++
}

# sync_file_range writes data out without a journal commit or a cache
# flush (lib/durable.c): listed as PROGRAM(sync_file_range), not in total
!resumed && ts >= t0 && ts <= t1 && call == "sync_file_range" {
	n[((pid in name) ? name[pid] : "?") "(sync_file_range)"]++
}

END {
	for (p in n)
		print p, n[p]
	print "total", total + 0
}
