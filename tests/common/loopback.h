/* loopback.h: two libanysocket endpoints over real loopback sockets,
 * the helpers of the tests that need them
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

G_BEGIN_DECLS

/* The bound of every wait for what should be quick (a test may set its
 * own before including this). */
#ifndef WAIT_MS
#define WAIT_MS 5000
#endif

/* Iterates the default main context until @condition holds or WAIT_MS
 * passed. */
#ifndef WAIT_UNTIL
#define WAIT_UNTIL(condition) \
  G_STMT_START { \
    gint64 wait_deadline_ = g_get_monotonic_time () + (gint64) WAIT_MS * 1000; \
    while (!(condition) && g_get_monotonic_time () < wait_deadline_) \
      if (!g_main_context_iteration (NULL, FALSE)) \
        g_usleep (500); \
  } G_STMT_END
#endif

gboolean   wait_for       (gboolean      *done,
                           guint          timeout_ms);
gboolean   wait_count     (int           *counter,
                           int            count,
                           guint          timeout_ms);
void       iterate_for    (guint          ms);
void       drain          (void);

/* The outcome of any_socket_listen_async() / any_socket_connect_async(). */
typedef struct {
  gboolean  done;
  guint     port;
  AnyPeer  *peer;
  GError   *error;
} AsyncResult;

void       on_listened    (GObject       *source,
                           GAsyncResult  *result,
                           gpointer       user_data);
void       on_connected   (GObject       *source,
                           GAsyncResult  *result,
                           gpointer       user_data);
guint      listen_local   (AnySocket     *socket);
AnyPeer   *connect_local  (AnySocket     *socket,
                           guint          port,
                           GError       **error);
/* any_socket_proxy_async() and wait: the peer, or NULL with @error. */
AnyPeer   *proxy_local    (AnySocket     *socket,
                           const char    *peer_id,
                           AnyPeer       *through,
                           GError       **error);
/* A request and its reply, or NULL with @error. */
AnyPacket *request_local  (AnyPeer       *peer,
                           JsonNode      *msg,
                           guint          timeout_ms,
                           GError       **error);
/* JSON text that must parse. */
JsonNode  *json_checked   (const char    *text);

G_END_DECLS
