/* any-connect-options-private.h: AnyConnectOptions as the socket reads it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "any-connect-options.h"
#include "any-socket.h"

G_BEGIN_DECLS

/* The headers to add, as NAME, VALUE, NAME, VALUE... NULL-terminated,
 * the cookies joined into one Cookie header at the end; NULL for none. */
char     **_any_connect_options_dup_headers (AnyConnectOptions *self);

/* The reconnect properties, copied when a connect starts. */
typedef struct {
  gboolean enabled;
  gboolean first;       /* retry a failed first dial too */
  guint    initial_ms;
  double   factor;
  guint    max_ms;
  double   jitter;      /* 0..1: the part of a wait taken off at random */
} AnyReconnectPolicy;

void       _any_connect_options_get_policy (AnyConnectOptions  *self,
                                            AnyReconnectPolicy *policy);

/* any-socket-reconnect.c */
void       _any_socket_reconnect_start (AnySocket                *socket,
                                        const char               *uri,
                                        const char * const       *headers,
                                        const AnyReconnectPolicy *policy,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data);

G_END_DECLS
