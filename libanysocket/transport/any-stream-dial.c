/* any-stream-dial.c: tcp:// and unix:// links: listening and connecting
 *
 * Accepting goes through an AnyAcceptor (any-accept.c: the pause when
 * descriptors run out, max-connections), connecting through a
 * GSocketClient; each new connection then exchanges the hello
 * (any-stream-hello.c), which gives the link. A unix socket is bound,
 * made 0600, and only then listened on, so that no one connects through
 * wider permissions in between; its file goes when the server does,
 * unless something else replaced it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

#include "any-error.h"
#include "transport/any-accept.h"
#include "transport/any-dial-guard.h"
#include "transport/any-stream-dial.h"
#include "transport/any-stream-hello.h"

#define DEFAULT_HELLO_TIMEOUT_MS 5000

typedef struct {
  char  *path;
  dev_t  dev;
  ino_t  ino;
} UnixFile;

struct _AnyStreamServer
{
  AnyAcceptor         *acceptor;
  AnyStreamAcceptFunc  func;
  gpointer             user_data;
  guint                hello_timeout_ms;
  guint                max_connections;
  GCancellable        *hellos;      /* cancelled when the server goes */
  GArray              *unix_files;  /* UnixFile */
  /* The server may go while hellos are in flight: they hold this. */
  gatomicrefcount      ref;
  gboolean             gone;
};

gboolean
any_stream_handles (GUri *uri)
{
  const char *scheme = g_uri_get_scheme (uri);

  return g_ascii_strcasecmp (scheme, "tcp") == 0 || g_ascii_strcasecmp (scheme, "unix") == 0;
}

static AnyStreamServer *
server_ref (AnyStreamServer *self)
{
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

static void
server_unref (AnyStreamServer *self)
{
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_clear_object (&self->hellos);
  g_array_unref (self->unix_files);
  g_free (self);
}

static void
unix_file_clear (gpointer data)
{
  g_free (((UnixFile *) data)->path);
}

AnyStreamServer *
any_stream_server_new (AnyStreamAcceptFunc func,
                       gpointer            user_data)
{
  AnyStreamServer *self = g_new0 (AnyStreamServer, 1);

  g_atomic_ref_count_init (&self->ref);
  self->func = func;
  self->user_data = user_data;
  self->hellos = g_cancellable_new ();
  self->unix_files = g_array_new (FALSE, TRUE, sizeof (UnixFile));
  g_array_set_clear_func (self->unix_files, unix_file_clear);
  return self;
}

static void
on_hello (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AnyStreamServer *self = user_data;
  g_autoptr(AnyTransport) transport = any_stream_hello_finish (result, NULL);

  /* A failed hello was logged (debug) and its connection closed. */
  if (transport != NULL && !self->gone)
    self->func (transport, self->user_data);
  server_unref (self);
}

/* "unix:PATH" of an accepted unix connection (its peer has no name), or
 * the inet address of the peer. */
static char *
describe_remote (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);
  g_autoptr(GSocketAddress) local = NULL;

  if (G_IS_INET_SOCKET_ADDRESS (remote))
    return any_transport_format_address (remote);
  local = g_socket_connection_get_local_address (connection, NULL);
  if (G_IS_UNIX_SOCKET_ADDRESS (local))
    return g_strdup_printf ("unix:%s", g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (local)));
  return g_strdup ("unix:");
}

static void
on_incoming (GSocketConnection *connection,
             gpointer           user_data)
{
  AnyStreamServer *self = user_data;
  g_autofree char *remote = describe_remote (connection);

  any_stream_hello_async (connection, TRUE, remote,
                          self->hello_timeout_ms > 0 ? self->hello_timeout_ms : DEFAULT_HELLO_TIMEOUT_MS,
                          self->hellos, on_hello, server_ref (self));
}

static AnyAcceptor *
get_acceptor (AnyStreamServer *self)
{
  if (self->acceptor == NULL)
    {
      self->acceptor = any_acceptor_new (on_incoming, self);
      any_acceptor_set_max_connections (self->acceptor, self->max_connections);
    }
  return self->acceptor;
}

guint16
any_stream_server_listen_inet (AnyStreamServer     *self,
                               GInetSocketAddress  *address,
                               GError             **error)
{
  return any_acceptor_listen_inet (get_acceptor (self), address, error);
}

/* Whether someone accepts connections on the unix socket @path. */
static gboolean
unix_socket_alive (GSocketAddress *address)
{
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_DEFAULT, NULL);

  return probe != NULL && g_socket_connect (probe, address, NULL, NULL);
}

gboolean
any_stream_server_listen_unix (AnyStreamServer  *self,
                               const char       *path,
                               GError          **error)
{
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GSocket) socket = NULL;
  struct stat st;
  UnixFile file = { 0 };

  if (g_lstat (path, &st) == 0)
    {
      if (!S_ISSOCK (st.st_mode))
        {
          g_set_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI,
                       _("%s exists and is not a socket"), path);
          return FALSE;
        }
      if (unix_socket_alive (address))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       _("Another process listens on %s"), path);
          return FALSE;
        }
      /* Left behind by a process that did not remove it. */
      g_unlink (path);
    }
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL || !g_socket_bind (socket, address, FALSE, error))
    return FALSE;
  if (g_chmod (path, 0600) != 0 || g_lstat (path, &st) != 0)
    {
      int saved = errno;

      g_unlink (path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!any_acceptor_listen (get_acceptor (self), socket, error))
    {
      g_unlink (path);
      return FALSE;
    }
  file.path = g_strdup (path);
  file.dev = st.st_dev;
  file.ino = st.st_ino;
  g_array_append_val (self->unix_files, file);
  return TRUE;
}

void
any_stream_server_set_hello_timeout (AnyStreamServer *self,
                                     guint            timeout_ms)
{
  self->hello_timeout_ms = timeout_ms;
}

void
any_stream_server_set_max_connections (AnyStreamServer *self,
                                       guint            max_connections)
{
  self->max_connections = max_connections;
  if (self->acceptor != NULL)
    any_acceptor_set_max_connections (self->acceptor, max_connections);
}

void
any_stream_server_free (AnyStreamServer *self)
{
  if (self == NULL)
    return;
  self->gone = TRUE;
  if (self->acceptor != NULL)
    any_acceptor_close (self->acceptor);
  g_clear_object (&self->acceptor);
  g_cancellable_cancel (self->hellos);
  for (guint i = 0; i < self->unix_files->len; i++)
    {
      UnixFile *file = &g_array_index (self->unix_files, UnixFile, i);
      struct stat st;

      /* Only ours: another server may have replaced it since. */
      if (g_lstat (file->path, &st) == 0 && st.st_dev == file->dev && st.st_ino == file->ino)
        g_unlink (file->path);
    }
  g_array_set_size (self->unix_files, 0);
  server_unref (self);
}

/* Connecting */

typedef struct {
  AnyDialGuard  guard;         /* the caller's two and the deadline */
  char         *remote;
} Connect;

static void
connect_free (gpointer data)
{
  Connect *c = data;

  any_dial_guard_clear (&c->guard);
  g_free (c->remote);
  g_free (c);
}

static void
fail (GTask  *task,
      GError *error)
{
  Connect *c = g_task_get_task_data (task);

  g_task_return_error (task, any_dial_guard_explain (&c->guard, error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT,
                                                     _("Could not connect to %s within %u ms"),
                                                     c->remote, c->guard.timeout_ms));
  g_object_unref (task);
}

static void
on_hello_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  AnyTransport *transport = any_stream_hello_finish (result, &error);

  if (transport == NULL)
    {
      fail (task, error);
      return;
    }
  g_task_return_pointer (task, transport, g_object_unref);
  g_object_unref (task);
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  GSocket *socket;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      fail (task, error);
      return;
    }
  socket = g_socket_connection_get_socket (connection);
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    {
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
      /* The address reached, as accepted links say theirs ("[::1]:N"). */
      g_free (c->remote);
      c->remote = describe_remote (connection);
    }
  /* Under our deadline, not one of its own. */
  any_stream_hello_async (connection, FALSE, c->remote, 0, c->guard.cancellable, on_hello_done, task);
}

void
any_stream_connect_async (GUri                *uri,
                          guint                timeout_ms,
                          GCancellable        *cancellable,
                          GCancellable        *also_cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) connectable = NULL;
  Connect *c = g_new0 (Connect, 1);

  g_task_set_source_tag (task, any_stream_connect_async);
  g_task_set_task_data (task, c, connect_free);
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "unix") == 0)
    {
      connectable = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (g_uri_get_path (uri)));
      c->remote = g_strdup_printf ("unix:%s", g_uri_get_path (uri));
    }
  else
    {
      connectable = g_network_address_new (g_uri_get_host (uri), (guint16) g_uri_get_port (uri));
      c->remote = g_socket_connectable_to_string (connectable);
    }
  any_dial_guard_init (&c->guard, cancellable, also_cancellable, timeout_ms,
                       "[anysocket] stream connect deadline");
  g_socket_client_connect_async (client, connectable, c->guard.cancellable, on_connected, task);
}

AnyTransport *
any_stream_connect_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
