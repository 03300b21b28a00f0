#!/bin/sh
# 01-lint.t: tools/lint.sh (make lint) finds what it is there to find, and
# the tree itself is clean: no banned functions, no stdio in daemons or
# lib/, every C file formatted as .clang-format says.
. "${QUAIL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/lib.sh"

command -v clang-format >/dev/null || t_skip_all "clang-format missing"

# A scratch tree with one file breaking each rule.
S=$(mktemp -d /tmp/quail-lint.XXXXXX)
trap 'rm -rf "$S"; t_cleanup' EXIT
mkdir -p "$S/tools" "$S/smtpd" "$S/ctl" "$S/lib"
cp "$QUAIL_SRC/tools/lint.sh" "$S/tools/"
cp "$QUAIL_SRC/.clang-format" "$S/"
printf '/* x */\n#include <stdio.h>\n\nint\nf(void)\n{\n\treturn 0;\n}\n' \
    >"$S/smtpd/a.c"
printf '/* x */\nint\nf(char *d)\n{\n\tstrcpy(d, "x");\n\treturn 0;\n}\n' \
    >"$S/lib/b.c"
printf '/* x */\nint f(void) { return 0; }\n' >"$S/ctl/c.c"
printf '/* x */\nint\nf(void)\n{\n\tfputs("x", stdout);\n\treturn 0;\n}\n' \
    >"$S/lib/d.c"
printf '/* ctl may use stdio */\n#include <stdio.h>\n\nint\nf(void)\n{\n\treturn puts("x");\n}\n' \
    >"$S/ctl/e.c"
printf '/* strcpy( in a comment is fine */\n__attribute__((format(printf, 1, 2))) int g(const char *, ...);\n' \
    >"$S/lib/f.h"
out=$(sh "$S/tools/lint.sh")
t_ok $((! $?)) "lint fails on a bad tree"
echo "$out" | grep -q '^smtpd/a.c:2: <stdio.h>'
t_ok $? "stdio.h in a daemon is named"
echo "$out" | grep -q '^lib/b.c:5: banned function'
t_ok $? "strcpy is named"
echo "$out" | grep -q '^ctl/c.c:2: not formatted'
t_ok $? "a badly formatted file is named"
echo "$out" | grep -q '^lib/d.c:5: stdio used'
t_ok $? "stdio calls in lib/ are named"
t_is "$(echo "$out" | grep -c '^ctl/e.c\|^lib/f.h')" 0 \
    "stdio in ctl/, comments and format attributes pass"

out=$(sh "$QUAIL_SRC/tools/lint.sh")
t_ok $? "make lint passes on the tree"
[ -n "$out" ] && t_diag "$out"

t_done
