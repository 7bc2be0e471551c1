/* tcp-pair.c: both ends of one loopback TCP connection
 *
 * SPDX-License-Identifier: MIT
 */
#include "tcp-pair.h"

void
tcp_pair (GSocketConnection **ours,
          GSocketConnection **peer)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;

  /* Loopback needs no proxy look-up (libproxy throws C++ exceptions that
   * an ASan build of this C program cannot catch). */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_listener_add_address (listener, any_port, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  *peer = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  *ours = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);
}
