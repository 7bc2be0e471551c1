/* loopback.h: two libanysocket endpoints over real loopback sockets,
 * the helpers of the tests that need them
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

G_BEGIN_DECLS

/* The bound of every wait for what should be quick. */
#define WAIT_MS 5000

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

G_END_DECLS
