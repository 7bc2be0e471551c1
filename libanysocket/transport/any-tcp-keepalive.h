/* any-tcp-keepalive.h: TCP keepalive on a link's socket
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Probes after this many idle seconds, every third of it, three times. */
#define ANY_TCP_KEEPALIVE_PROBES 3

gboolean any_tcp_keepalive_apply (int    fd,
                                  guint  idle_s);

G_END_DECLS
