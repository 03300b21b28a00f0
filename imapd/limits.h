/* limits.h: quail-imapd bounds, each with its source (STYLE.md). */
#ifndef QUAIL_IMAPD_LIMITS_H
#define QUAIL_IMAPD_LIMITS_H

/* Command line: 64 KiB (STYLE.md; RFC 7162 section 4 asks for >= 8192). */
#define IMAP_LINE_MAX (64 * 1024)
/* Literal outside APPEND: 64 KiB.  APPEND: the message limit. */
#define IMAP_LITERAL_MAX (64 * 1024)
/* Default message limit for APPEND when control/databytes is 0/missing. */
#define IMAP_MSG_MAX_DEFAULT (64ULL * 1024 * 1024)
/* Arguments (atoms, strings, lists) in one command, and list nesting. */
#define IMAP_ARGS_MAX 4096
#define IMAP_NEST_MAX 32
/* Ranges in one sequence set. */
#define IMAP_SEQ_RANGES 1024
/* Autologout: RFC 3501 section 5.4 asks for at least 30 minutes. */
#define IMAP_IDLE_TIMEOUT 1800
/* Seconds to wait for an announced literal's bytes, and for a write. */
#define IMAP_DATA_TIMEOUT 300
/* Pre-auth: failed logins before BYE; tag length passed on. */
#define IMAP_LOGIN_TRIES 3
#define IMAP_TAG_MAX     256
/* Search keys in one command and nesting of NOT/OR/lists. */
#define IMAP_SEARCH_MAX 512
/* Messages per folder (sanity bound on the uid list). */
#define IMAP_FOLDER_MAX 10000000
/* Folders listed. */
#define IMAP_FOLDERS_MAX 100000

#endif
