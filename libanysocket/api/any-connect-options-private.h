/* any-connect-options-private.h: AnyConnectOptions as the socket reads it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-connect-options.h"

G_BEGIN_DECLS

/* The headers to add, as NAME, VALUE, NAME, VALUE... NULL-terminated,
 * the cookies joined into one Cookie header at the end; NULL for none. */
char     **_any_connect_options_dup_headers (AnyConnectOptions *self);

G_END_DECLS
