/* any-accept.h: accepting TCP connections on listening sockets, with a
 * pause when file descriptors run out and a bound on open connections
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ANY_TYPE_ACCEPTOR (any_acceptor_get_type ())
G_DECLARE_FINAL_TYPE (AnyAcceptor, any_acceptor, ANY, ACCEPTOR, GObject)

/* How long accepting pauses after the process ran out of file
 * descriptors (or memory) for a new connection. */
#define ANY_ACCEPT_PAUSE_MS 250

/* The listen(2) backlog: GIO's default of 10 makes a burst of
 * connections wait for TCP retransmits. */
#define ANY_ACCEPT_BACKLOG 4096

/* Called for each accepted connection (TCP_NODELAY already set); ref
 * @connection to keep it. */
typedef void (*AnyAcceptorFunc) (GSocketConnection *connection,
                                 gpointer           user_data);

/* Calls @func on the thread-default main context of the caller. */
AnyAcceptor *any_acceptor_new                 (AnyAcceptorFunc   func,
                                               gpointer          user_data);
/* Starts accepting on @listening, a bound and listening socket. */
void         any_acceptor_add                 (AnyAcceptor      *self,
                                               GSocket          *listening);
/* Listens on @bound (a bound socket) with a long backlog, then adds it. */
gboolean     any_acceptor_listen              (AnyAcceptor      *self,
                                               GSocket          *bound,
                                               GError          **error);
/* A TCP socket bound to @address, listened on and added: its port, or
 * 0 on error. */
guint16      any_acceptor_listen_inet         (AnyAcceptor      *self,
                                               GInetSocketAddress *address,
                                               GError          **error);
/* Connections accepted while @max_connections (0: no limit) of ours are
 * open are closed at once. */
void         any_acceptor_set_max_connections (AnyAcceptor      *self,
                                               guint             max_connections);
/* Accepted connections whose socket still exists. */
guint        any_acceptor_get_n_connections   (AnyAcceptor      *self);
/* Stops accepting and closes the listening sockets; accepted
 * connections are left alone. */
void         any_acceptor_close               (AnyAcceptor      *self);

G_END_DECLS
