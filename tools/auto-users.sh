#!/bin/sh
# auto-users.sh: conf-users (stdin) -> C definitions of the quail user names.
set -e
awk 'NR<=10 && NF==1 { n[NR]=$1 }
END {
  split("user_alias user_d user_l user_q user_r user_s user_t user_v group_q group_n", v, " ")
  print "/* generated from conf-users */"
  for (i = 1; i <= 10; i++) {
    if (n[i] == "") { print "#error conf-users: line " i " missing"; continue }
    printf "const char auto_%s[] = \"%s\";\n", v[i], n[i]
  }
}'
