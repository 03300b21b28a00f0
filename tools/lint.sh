#!/bin/sh
# lint.sh: the house rules the compiler does not enforce (STYLE.md).
#   1. no banned function (lib/banned.h's list) anywhere but banned.h
#   2. no <stdio.h> and no stdio calls in the daemons and in lib/, which
#      every daemon links (ctl/ and tests/ may use stdio)
#   3. clang-format --dry-run -Werror over the files "make format" formats
# Prints each problem as "file:line: what"; exits 0 if none, 1 otherwise.
# Comment lines (starting with /*, * or //) are not searched, nor are
# __attribute__((format(printf, ...))) annotations.

cd "$(dirname "$0")/.." || exit 111

DAEMONS="smtpd queue send lspawn local remote tls auth imapd pop3d"
ALLDIRS="lib ctl $DAEMONS tests/unit tests/fuzz tests/lib"
BANNED='strcpy|strcat|sprintf|vsprintf|gets|strtok|strncpy|strncat|atoi|atol|alloca'
STDIO='printf|fprintf|vfprintf|dprintf|snprintf|vsnprintf|puts|fputs|fputc|putchar|fgets|getchar|getline|fopen|fdopen|fclose|fread|fwrite|fflush|fileno|perror|scanf|sscanf|fscanf|setvbuf|FILE|stdin|stdout|stderr'

# files DIR...: the C sources and headers in those directories
files() {
	for d in "$@"; do
		for f in "$d"/*.c "$d"/*.h; do
			[ -f "$f" ] && echo "$f"
		done
	done
	return 0
}

# code FILE...: "file:line:text" for lines that are not plain comments
code() {
	[ $# -gt 0 ] || return 0
	grep -nH '' "$@" | grep -Ev '^[^:]*:[0-9]+:[[:space:]]*(/\*|\*|//)'
}

problems=$(
	# shellcheck disable=SC2046
	code $(files $ALLDIRS | grep -v '^lib/banned\.h$') |
	    grep -E "(^|[^A-Za-z0-9_])($BANNED)[[:space:]]*\(" |
	    sed 's/^\([^:]*:[0-9]*\):.*/\1: banned function (lib\/banned.h)/'

	# shellcheck disable=SC2046
	code $(files lib $DAEMONS | grep -v '^lib/banned\.h$') |
	    grep -E '#[[:space:]]*include[[:space:]]*<stdio\.h>' |
	    sed 's/^\([^:]*:[0-9]*\):.*/\1: <stdio.h> in a daemon or lib (STYLE.md)/'

	# shellcheck disable=SC2046
	code $(files lib $DAEMONS | grep -v '^lib/banned\.h$') |
	    sed 's/format(printf,//g' |
	    grep -E "(^|[^A-Za-z0-9_\"])($STDIO)([^A-Za-z0-9_]|\$)" |
	    grep -Ev '^[^:]*:[0-9]+:[[:space:]]*#' |
	    sed 's/^\([^:]*:[0-9]*\):.*/\1: stdio used in a daemon or lib (STYLE.md)/'

	# the set "make format" formats
	fmt=$(files lib ctl $DAEMONS tests/unit tests/fuzz)
	if [ -n "$fmt" ]; then
		if command -v clang-format >/dev/null; then
			# shellcheck disable=SC2086
			clang-format --dry-run -Werror $fmt 2>&1 |
			    grep -E '^[^ ]+:[0-9]+:[0-9]+: (error|warning)' |
			    sed 's/^\([^:]*:[0-9]*\):[0-9]*: [a-z]*: .*/\1: not formatted (make format)/' |
			    uniq
		else
			echo "clang-format: not installed (sh tests/deps.sh)"
		fi
	fi
)

if [ -n "$problems" ]; then
	echo "$problems"
	exit 1
fi
exit 0
