/* any-id.h: peer and connection ids
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Length of an id: 32 lowercase hex characters (PROTOCOL.md 4). */
#define ANY_ID_LENGTH 32

char     *any_id_new      (void);
gboolean  any_id_is_valid (const char *id);

G_END_DECLS
