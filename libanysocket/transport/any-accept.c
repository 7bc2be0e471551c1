/* any-accept.c: accepting TCP connections on listening sockets
 *
 * Not GSocketService: when the process runs out of file descriptors,
 * accept(2) fails with EMFILE while the connection stays in the backlog,
 * so the listening socket stays readable. GSocketService then re-arms at
 * once and logs a warning each time: a busy loop (about 42,000 warnings a
 * second), and a server whose stderr is a pipe nobody reads blocks in
 * write(2) and loses every peer. Here, as nginx does, accepting pauses
 * for ANY_ACCEPT_PAUSE_MS instead, the shortage is logged once (at most
 * once a minute), and accepting resumes by itself.
 *
 * Each wake-up accepts at most ACCEPT_BATCH connections, so a burst does
 * not starve the peers already connected.
 *
 * max-connections: a connection over the limit is accepted and closed at
 * once (not answered with an HTTP 503): an answer would mean reading the
 * request first (closing with it unread sends a reset that may destroy
 * the answer), which means keeping the connection and its descriptor,
 * the very thing the limit is there to bound. A connection counts from
 * accept(2) until its GSocket is finalized (the descriptor is closed then
 * at the latest), whatever it became: waiting for its first byte, HTTP,
 * WebSocket, closing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gnetworking.h>

#include "transport/any-accept.h"

#include "any-source.h"

/* Connections accepted per wake-up of a listening socket, at most. */
#define ACCEPT_BATCH 64

/* While a shortage lasts, how often it is logged again. */
#define SHORTAGE_LOG_INTERVAL_US (60 * G_USEC_PER_SEC)

typedef struct {
  AnyAcceptor *self;       /* weak: it owns us */
  GSocket     *socket;
  GSource     *source;     /* NULL while paused */
} Listener;

struct _AnyAcceptor
{
  GObject          parent_instance;
  AnyAcceptorFunc  func;
  gpointer         user_data;
  GMainContext    *context;
  GPtrArray       *listeners;        /* Listener */
  gboolean         closed;

  /* Accepted GSockets still alive (weak references). */
  GHashTable      *open;
  guint            max_connections;  /* 0: no limit */
  guint            refused;          /* since the limit was last reached */

  /* Descriptors (or memory) ran out: since when, until an accept
   * succeeds; the last warning (of any shortage) and whether this one
   * had one. */
  GSource         *resume;
  gint64           short_since;
  guint            short_failures;
  gint64           short_logged_at;
  gboolean         short_warned;
};

G_DEFINE_FINAL_TYPE (AnyAcceptor, any_acceptor, G_TYPE_OBJECT)

static void
on_socket_gone (gpointer  user_data,
                GObject  *socket)
{
  AnyAcceptor *self = user_data;

  g_hash_table_remove (self->open, socket);
}

static void
listener_free (gpointer data)
{
  Listener *listener = data;

  any_clear_source (&listener->source);
  g_socket_close (listener->socket, NULL);
  g_object_unref (listener->socket);
  g_free (listener);
}

static void
any_acceptor_dispose (GObject *object)
{
  AnyAcceptor *self = ANY_ACCEPTOR (object);
  GHashTableIter iter;
  gpointer socket;

  any_acceptor_close (self);
  if (self->open != NULL)
    {
      g_hash_table_iter_init (&iter, self->open);
      while (g_hash_table_iter_next (&iter, &socket, NULL))
        g_object_weak_unref (socket, on_socket_gone, self);
      g_clear_pointer (&self->open, g_hash_table_unref);
    }
  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (any_acceptor_parent_class)->dispose (object);
}

static void
any_acceptor_class_init (AnyAcceptorClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = any_acceptor_dispose;
}

static void
any_acceptor_init (AnyAcceptor *self)
{
  self->listeners = g_ptr_array_new_with_free_func (listener_free);
  self->open = g_hash_table_new (g_direct_hash, g_direct_equal);
}

static gboolean on_listener_ready (GSocket      *socket,
                                   GIOCondition  condition,
                                   gpointer      user_data);

static void
listener_watch (Listener *listener)
{
  listener->source = g_socket_create_source (listener->socket, G_IO_IN, NULL);
  g_source_set_callback (listener->source, G_SOURCE_FUNC (on_listener_ready), listener, NULL);
  g_source_set_static_name (listener->source, "[anysocket] accept");
  g_source_attach (listener->source, listener->self->context);
}

static gboolean
on_resume (gpointer user_data)
{
  AnyAcceptor *self = user_data;

  g_clear_pointer (&self->resume, g_source_unref);
  for (guint i = 0; i < self->listeners->len; i++)
    listener_watch (g_ptr_array_index (self->listeners, i));
  return G_SOURCE_REMOVE;
}

/* The process is out of descriptors (EMFILE, ENFILE) or memory: the
 * connection waits in the backlog, and so do we, on every listening
 * socket, since the shortage is not theirs. Warned about once a minute
 * at most, even when shortages come and go. */
static void
pause_accepting (AnyAcceptor  *self,
                 const GError *error)
{
  gint64 now = g_get_monotonic_time ();

  self->short_failures++;
  if (self->short_since == 0)
    self->short_since = now;
  if (self->short_logged_at == 0 || now - self->short_logged_at >= SHORTAGE_LOG_INTERVAL_US)
    {
      g_warning ("Cannot accept connections: %s; pausing accept for %u ms at a time until it works",
                 error->message, ANY_ACCEPT_PAUSE_MS);
      self->short_logged_at = now;
      self->short_warned = TRUE;
    }
  else
    g_debug ("Still cannot accept connections: %s", error->message);

  for (guint i = 0; i < self->listeners->len; i++)
    any_clear_source (&((Listener *) g_ptr_array_index (self->listeners, i))->source);
  self->resume = g_timeout_source_new (ANY_ACCEPT_PAUSE_MS);
  g_source_set_callback (self->resume, on_resume, self, NULL);
  g_source_set_static_name (self->resume, "[anysocket] accept pause");
  g_source_attach (self->resume, self->context);
}

/* Said when the shortage that was warned about is over. */
static void
end_shortage (AnyAcceptor *self)
{
  double seconds = (g_get_monotonic_time () - self->short_since) / (double) G_USEC_PER_SEC;

  if (self->short_warned)
    g_message ("Accepting connections again after %.1f s without file descriptors (%u attempts)",
               seconds, self->short_failures);
  else
    g_debug ("Accepting connections again after %.1f s (%u attempts)", seconds, self->short_failures);
  self->short_since = 0;
  self->short_failures = 0;
  self->short_warned = FALSE;
}

static void
take (AnyAcceptor *self,
      GSocket     *accepted)
{
  g_autoptr(GSocketConnection) connection = NULL;
  guint open = g_hash_table_size (self->open);

  if (self->short_since != 0)
    end_shortage (self);

  if (self->max_connections > 0 && open >= self->max_connections)
    {
      if (self->refused++ == 0)
        g_message ("Refusing new connections: %u are open, the limit (max-connections)", open);
      g_socket_close (accepted, NULL);
      return;
    }
  if (self->refused > 0)
    {
      g_debug ("Accepting connections again: %u refused at the limit", self->refused);
      self->refused = 0;
    }

  /* GSocketService never did: without it, the first messages after AUTH
   * stall ~40 ms (Nagle against delayed ACK). */
  if (g_socket_get_family (accepted) != G_SOCKET_FAMILY_UNIX &&
      !g_socket_set_option (accepted, IPPROTO_TCP, TCP_NODELAY, 1, NULL))
    g_debug ("Could not set TCP_NODELAY on an accepted connection");

  g_hash_table_add (self->open, accepted);
  g_object_weak_ref (G_OBJECT (accepted), on_socket_gone, self);
  connection = g_socket_connection_factory_create_connection (accepted);
  self->func (connection, self->user_data);
}

static gboolean
on_listener_ready (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  Listener *listener = user_data;
  g_autoptr(AnyAcceptor) self = g_object_ref (listener->self);

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) accepted = g_socket_accept (socket, NULL, &error);

      if (accepted == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
            {
              /* Destroys this source too. */
              pause_accepting (self, error);
              return G_SOURCE_REMOVE;
            }
          /* Would block, or this connection failed (reset before we got
           * to it): the next wake-up takes the next one. */
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("Could not accept a connection: %s", error->message);
          break;
        }
      take (self, accepted);
      /* The callback may have closed us, and freed @listener. */
      if (self->closed)
        return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

AnyAcceptor *
any_acceptor_new (AnyAcceptorFunc func,
                  gpointer        user_data)
{
  AnyAcceptor *self = g_object_new (ANY_TYPE_ACCEPTOR, NULL);

  self->func = func;
  self->user_data = user_data;
  self->context = g_main_context_ref_thread_default ();
  return self;
}

void
any_acceptor_add (AnyAcceptor *self,
                  GSocket     *listening)
{
  Listener *listener;

  g_return_if_fail (!self->closed);

  listener = g_new0 (Listener, 1);
  listener->self = self;
  listener->socket = g_object_ref (listening);
  /* g_socket_accept() must fail with G_IO_ERROR_WOULD_BLOCK, not wait. */
  g_socket_set_blocking (listening, FALSE);
  g_ptr_array_add (self->listeners, listener);
  if (self->resume == NULL)
    listener_watch (listener);
}

gboolean
any_acceptor_listen (AnyAcceptor  *self,
                     GSocket      *bound,
                     GError      **error)
{
  g_socket_set_listen_backlog (bound, ANY_ACCEPT_BACKLOG);
  if (!g_socket_listen (bound, error))
    return FALSE;
  any_acceptor_add (self, bound);
  return TRUE;
}

guint16
any_acceptor_listen_inet (AnyAcceptor         *self,
                          GInetSocketAddress  *address,
                          GError             **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (g_socket_address_get_family (G_SOCKET_ADDRESS (address)),
                         G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL || !g_socket_bind (socket, G_SOCKET_ADDRESS (address), TRUE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL || !any_acceptor_listen (self, socket, error))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

void
any_acceptor_set_max_connections (AnyAcceptor *self,
                                  guint        max_connections)
{
  self->max_connections = max_connections;
}

guint
any_acceptor_get_n_connections (AnyAcceptor *self)
{
  return g_hash_table_size (self->open);
}

void
any_acceptor_close (AnyAcceptor *self)
{
  self->closed = TRUE;
  any_clear_source (&self->resume);
  if (self->listeners != NULL)
    g_ptr_array_set_size (self->listeners, 0);
}
