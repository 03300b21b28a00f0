/* commands.c: the command table (STYLE.md: dispatch through a table of
 * {verb, allowed states, handler}).  UID_OK: may follow "UID".
 * BREAKS_SEQ: no EXPUNGE may be sent during it (RFC 3501 7.4.1), so the
 * folder is not resynchronised after it. */
#include <stddef.h>
#include <string.h>
#include "imapd.h"
#include "str.h"

#define AS  (REQ_AUTH | REQ_SELECTED)
#define SEL REQ_SELECTED

static const struct cmd_def table[] = {
    {"CAPABILITY", cmd_capability, ANY_STATE},
    {"NOOP", cmd_noop, ANY_STATE},
    {"LOGOUT", cmd_logout, ANY_STATE},
    {"ID", cmd_id, ANY_STATE},
    {"LOGIN", cmd_login, REQ_NOTAUTH},
    {"AUTHENTICATE", cmd_authenticate, REQ_NOTAUTH},
    {"STARTTLS", cmd_starttls, REQ_NOTAUTH},
    {"ENABLE", cmd_enable, AS},
    {"NAMESPACE", cmd_namespace, AS},
    {"SELECT", cmd_select, AS},
    {"EXAMINE", cmd_select, AS},
    {"CREATE", cmd_create, AS},
    {"DELETE", cmd_delete, AS},
    {"RENAME", cmd_rename, AS},
    {"SUBSCRIBE", cmd_subscribe, AS},
    {"UNSUBSCRIBE", cmd_unsubscribe, AS},
    {"LIST", cmd_list, AS},
    {"LSUB", cmd_lsub, AS},
    {"STATUS", cmd_status, AS},
    {"APPEND", cmd_append, AS},
    {"IDLE", cmd_idle, AS},
    {"GETQUOTA", cmd_getquota, AS},
    {"GETQUOTAROOT", cmd_getquotaroot, AS},
    {"CHECK", cmd_check, SEL},
    {"CLOSE", cmd_close, SEL},
    {"UNSELECT", cmd_unselect, SEL},
    {"EXPUNGE", cmd_expunge, SEL | UID_OK},
    {"SEARCH", cmd_search, SEL | UID_OK | BREAKS_SEQ},
    {"FETCH", cmd_fetch, SEL | UID_OK | BREAKS_SEQ},
    {"STORE", cmd_store, SEL | UID_OK | BREAKS_SEQ},
    {"COPY", cmd_copy, SEL | UID_OK},
    {"MOVE", cmd_move, SEL | UID_OK},
};

const struct cmd_def *
cmd_find(const char *name, size_t len, bool uid)
{
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (!str_caseeq(
		        name, len, table[i].name, strlen(table[i].name)))
			continue;
		if (uid && !(table[i].flags & UID_OK))
			return NULL;
		return &table[i];
	}
	return NULL;
}
