/* loopback.h: what tests over real loopback sockets share
 *
 * Every wait is bounded: a test that would hang fails instead.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

#define WAIT_MS 5000

/* Iterates the default main context until *done or @timeout_ms passed. */
gboolean   loopback_wait_for      (gboolean   *done,
                                   guint       timeout_ms);
void       loopback_iterate_for   (guint       ms);
/* Until nothing happened for 100 ms (closing handshakes done), 3 s at most. */
void       loopback_drain         (void);

/* Iterates until @condition holds or WAIT_MS passed; the condition's value. */
#define LOOPBACK_WAIT_UNTIL(condition) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000; \
    while (!(condition) && g_get_monotonic_time () < _deadline) \
      if (!g_main_context_iteration (NULL, FALSE)) \
        g_usleep (500); \
  } G_STMT_END

/* ws://127.0.0.1:0; the bound port. Asserts success. */
guint      loopback_listen        (AnySocket  *socket);
/* Connects to 127.0.0.1:@port; the peer, or NULL with @error. */
AnyPeer   *loopback_connect       (AnySocket  *socket,
                                   guint       port,
                                   GError    **error);
/* any_socket_proxy_async() and wait; the peer, or NULL with @error. */
AnyPeer   *loopback_proxy         (AnySocket  *socket,
                                   const char *peer_id,
                                   AnyPeer    *through,
                                   GError    **error);
/* A request and its reply, or NULL with @error. */
AnyPacket *loopback_request       (AnyPeer    *peer,
                                   JsonNode   *msg,
                                   guint       timeout_ms,
                                   GError    **error);

JsonNode  *loopback_json          (const char *text);
