/* any-ws-server.c: the listening side of the WebSocket transport
 *
 * One SoupServer per AnySocket, fed by one AnyAcceptor (any-accept.c) that
 * holds a listening GSocket per URI. A plain upgrade request on a ws://
 * port is answered without libsoup (any-ws-upgrade.c); libsoup answers
 * the rest of the HTTP side: other upgrade requests (and their 400s),
 * wss:// and plain HTTP requests. Once it has
 * written the 101 of an upgrade without an extension, the connection is
 * taken from it ("wrote-informational", before libsoup's own handler,
 * which then never runs) and framed by us (any-ws-link.c), with the bytes
 * libsoup had read past the request. With permessage-deflate, libsoup
 * keeps it (AnyWsTransport over the coalescing stream): our framing has
 * no compression.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "transport/any-ws-server.h"

#include "any-source.h"
#include "any-timers.h"
#include "transport/any-poll.h"
#include "transport/any-ws-upgrade.h"
#include "transport/any-accept.h"
#include "transport/any-coalescing-stream.h"
#include "transport/any-stream-hello.h"
#include "transport/any-tls-accept.h"
#include "transport/any-ws-link.h"
#include "transport/any-ws-transport.h"
#include "transport/any-ws-http.h"

/* How long a new TCP connection may stay silent before its first byte. */
#define FIRST_BYTE_TIMEOUT_MS 5000

/* How long an accepted connection may take to become a WebSocket, by
 * default (any_ws_server_set_upgrade_timeout()). */
#define DEFAULT_UPGRADE_TIMEOUT_MS 5000

/* How many times the start of a request is peeked, waiting for the rest,
 * before libsoup gets it. */
#define MAX_PEEKS 16

/* How long a plain HTTP answer may take to be written. */
#define HTTP_WRITE_TIMEOUT_MS 60000

/* The first byte of a TLS record (handshake). */
#define TLS_HANDSHAKE_RECORD 0x16

struct _AnyWsServer
{
  GObject                parent_instance;
  SoupServer            *server;
  AnyAcceptor           *acceptor;
  AnyWsServerAcceptFunc  accept_func;
  gpointer               user_data;
  guint                  upgrade_timeout_ms;
  guint                  max_connections;
  /* Connections between their first byte and their WebSocket upgrade:
   * "address:port" of the remote end -> GSource of their deadline. A
   * client that sends a little and then stalls is closed at the
   * deadline instead of holding the connection forever. */
  GHashTable            *upgrading;
  char                 **protocols;   /* accepted subprotocols; NULL: any */
  AnyWsHttpFunc          http_func;
  gpointer               http_data;
  gboolean               deflate;     /* permessage-deflate offered */
  GTlsCertificate       *certificate; /* wss://: TLS only, over libsoup */
  AnyTimers             *timers;      /* of the connections not read yet */
};

/* Bytes libsoup may have read past an upgrade request: what is read from
 * its stream at most when taking the connection over (more waits in the
 * socket). */
#define MAX_PENDING (256 * 1024)

G_DEFINE_FINAL_TYPE (AnyWsServer, any_ws_server, G_TYPE_OBJECT)

static char *
address_key (GSocketAddress *address)
{
  return address != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address)) : NULL;
}

static void
destroy_source (gpointer source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

/* The upgrade request, copied out of libsoup (whose types stay in
 * transport/) for the application's authenticate-peer handlers. */
static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  any_upgrade_request_add_header (user_data, name, value);
}

static AnyUpgradeRequest *
copy_upgrade_request (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  AnyUpgradeRequest *request = any_upgrade_request_new (g_uri_get_path (uri), g_uri_get_query (uri));

  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header, request);
  return request;
}

static void
accepted (AnyWsServer       *self,
          SoupServerMessage *msg,
          AnyTransport      *transport)
{
  g_autofree char *key = address_key (soup_server_message_get_remote_address (msg));
  g_autoptr(AnyUpgradeRequest) request = copy_upgrade_request (msg);

  if (key != NULL)
    g_hash_table_remove (self->upgrading, key);
  if (self->accept_func != NULL)
    self->accept_func (transport, request, self->user_data);
}

/* With permessage-deflate: libsoup's WebSocket. */
static void
on_websocket (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *connection,
              gpointer                 user_data)
{
  AnyCoalescingStream *coalescing = any_coalescing_stream_find (soup_websocket_connection_get_io_stream (connection));
  g_autoptr(AnyTransport) transport = NULL;

  /* Only now: the HTTP exchange before used GIO's asynchronous calls,
   * which the coalescing does not need to know. */
  if (coalescing != NULL)
    any_coalescing_stream_start (coalescing);
  transport = any_ws_transport_new (connection, soup_server_message_get_remote_address (msg));
  accepted (user_data, msg, transport);
}

/* What libsoup read from @stream past the upgrade request, and what the
 * socket has now, up to MAX_PENDING. */
static GByteArray *
read_pending (GIOStream *stream)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);
  GByteArray *pending = g_byte_array_new ();

  while (G_IS_POLLABLE_INPUT_STREAM (input) && pending->len < MAX_PENDING)
    {
      guint before = pending->len;
      gssize n;

      g_byte_array_set_size (pending, before + 16 * 1024);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (input), pending->data + before,
                                                    16 * 1024, NULL, NULL);
      g_byte_array_set_size (pending, before + MAX (n, 0));
      if (n <= 0)
        break;   /* would block, the end or an error: the link sees them */
    }
  return pending;
}

/* The 101 is written: without an extension, the connection is ours. */
static void
on_wrote_informational (SoupServerMessage *msg,
                        gpointer           user_data)
{
  AnyWsServer *self = user_data;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GByteArray) pending = NULL;
  g_autoptr(AnyTransport) transport = NULL;

  /* Over TLS, libsoup frames (on_websocket()): our link writes to the
   * socket itself. */
  if (self->certificate != NULL ||
      soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS ||
      soup_message_headers_get_one (soup_server_message_get_response_headers (msg),
                                    "Sec-WebSocket-Extensions") != NULL)
    return;

  /* libsoup's own handler (connected after this one) would take it too. */
  g_signal_stop_emission_by_name (msg, "wrote-informational");
  g_object_ref (msg);
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    {
      pending = read_pending (stream);
      transport = any_ws_link_new (stream, TRUE, pending->data, pending->len,
                                   soup_server_message_get_remote_address (msg));
      accepted (self, msg, transport);
    }
  g_object_unref (msg);
}

static void
any_ws_server_dispose (GObject *object)
{
  AnyWsServer *self = ANY_WS_SERVER (object);

  any_ws_server_disconnect (self);
  g_clear_pointer (&self->upgrading, g_hash_table_unref);
  g_clear_pointer (&self->protocols, g_strfreev);
  g_clear_object (&self->acceptor);
  g_clear_object (&self->server);
  g_clear_object (&self->certificate);

  G_OBJECT_CLASS (any_ws_server_parent_class)->dispose (object);
}

/* Connections not read yet hold a reference: none is left. */
static void
any_ws_server_finalize (GObject *object)
{
  AnyWsServer *self = ANY_WS_SERVER (object);

  g_clear_pointer (&self->timers, any_timers_unref);

  G_OBJECT_CLASS (any_ws_server_parent_class)->finalize (object);
}

static void
any_ws_server_class_init (AnyWsServerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = any_ws_server_dispose;
  G_OBJECT_CLASS (klass)->finalize = any_ws_server_finalize;
}

static void
any_ws_server_init (AnyWsServer *self)
{
  self->upgrade_timeout_ms = DEFAULT_UPGRADE_TIMEOUT_MS;
  self->upgrading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, destroy_source);
}

typedef struct {
  AnyWsServer *self;          /* weak: the table holds the source */
  GIOStream   *stream;
  char        *key;
} Upgrade;

static void
upgrade_free (gpointer data)
{
  Upgrade *upgrade = data;

  g_object_unref (upgrade->stream);
  g_free (upgrade->key);
  g_free (upgrade);
}

static gboolean
on_upgrade_timeout (gpointer user_data)
{
  Upgrade *upgrade = user_data;

  g_debug ("Closing %s: no WebSocket upgrade in time", upgrade->key);
  g_io_stream_close (upgrade->stream, NULL, NULL);
  /* Destroys this source, and with it @upgrade. */
  g_hash_table_remove (upgrade->self->upgrading, upgrade->key);
  return G_SOURCE_REMOVE;
}

/* Moves the deadline of @msg's connection @timeout_ms from now (-1: none
 * for now), if it still has one. */
static void
set_deadline (AnyWsServer       *self,
              SoupServerMessage *msg,
              gint64             timeout_ms)
{
  g_autofree char *key = address_key (soup_server_message_get_remote_address (msg));
  GSource *source = key != NULL ? g_hash_table_lookup (self->upgrading, key) : NULL;

  if (source != NULL)
    g_source_set_ready_time (source, timeout_ms < 0 ? -1 : g_get_monotonic_time () + timeout_ms * 1000);
}

/* Closes @stream at @deadline (monotonic µs) unless it became a
 * WebSocket or its request was answered by then. */
static void
watch_upgrade (AnyWsServer    *self,
               GIOStream      *stream,
               GSocketAddress *remote,
               gint64          deadline)
{
  Upgrade *upgrade;
  GSource *source;

  upgrade = g_new0 (Upgrade, 1);
  upgrade->self = self;
  upgrade->stream = g_object_ref (stream);
  upgrade->key = address_key (remote);
  if (upgrade->key == NULL)
    {
      upgrade_free (upgrade);
      return;
    }
  source = any_deadline_source_new ();
  g_source_set_ready_time (source, deadline);
  g_source_set_callback (source, on_upgrade_timeout, upgrade, upgrade_free);
  g_source_set_static_name (source, "[anysocket] WebSocket upgrade deadline");
  g_source_attach (source, g_main_context_get_thread_default ());
  g_hash_table_replace (self->upgrading, g_strdup (upgrade->key), source);
}

void
any_ws_server_set_upgrade_timeout (AnyWsServer *self,
                                   guint        timeout_ms)
{
  self->upgrade_timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_UPGRADE_TIMEOUT_MS;
}

/* Hands @stream to libsoup for its HTTP request; @deadline: when the
 * upgrade deadline closes it (monotonic µs; 0: it runs since the TLS
 * handshake began). */
static void
accept_http (AnyWsServer    *self,
             GIOStream      *connection,
             GSocketAddress *local,
             GSocketAddress *remote,
             gint64          deadline)
{
  g_autoptr(GError) error = NULL;
  /* With deflate, libsoup frames (over the coalescing stream: one
   * send(2) per read batch, not per frame); else we do. */
  g_autoptr(GIOStream) stream = self->deflate && !G_IS_TLS_CONNECTION (connection)
                                ? any_coalescing_stream_new (connection) : g_object_ref (connection);

  /* Before: libsoup may read the whole upgrade request, already
   * waiting, and emit the WebSocket at once, inside the call. */
  if (deadline != 0)
    watch_upgrade (self, stream, remote, deadline);
  if (!soup_server_accept_iostream (self->server, stream, local, remote, &error))
    {
      g_autofree char *key = address_key (remote);

      g_debug ("Could not accept a connection: %s", error->message);
      if (key != NULL)
        g_hash_table_remove (self->upgrading, key);
    }
}

typedef struct {
  AnyWsServer    *self;
  GSocketAddress *local;
  GSocketAddress *remote;
} TlsAccept;

static void
on_tls_accepted (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TlsAccept *accept = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = any_tls_accept_finish (result, &error);

  if (tls == NULL)
    {
      g_autofree char *key = address_key (accept->remote);

      g_debug ("TLS with %s failed: %s", key, error->message);
      if (key != NULL)
        g_hash_table_remove (accept->self->upgrading, key);
    }
  else if (accept->self->server != NULL)
    accept_http (accept->self, tls, accept->local, accept->remote, 0);
  g_object_unref (accept->self);
  g_object_unref (accept->local);
  g_object_unref (accept->remote);
  g_free (accept);
}

/* wss://: the TLS handshake (any-tls-accept.c) under the upgrade's
 * deadline, which closes the socket under it, then HTTP as on a plain
 * port. */
static void
start_tls (AnyWsServer       *self,
           GSocketConnection *connection,
           GSocketAddress    *local,
           GSocketAddress    *remote,
           gint64             deadline)
{
  TlsAccept *accept = g_new0 (TlsAccept, 1);

  accept->self = g_object_ref (self);
  accept->local = g_object_ref (local);
  accept->remote = g_object_ref (remote);
  watch_upgrade (self, G_IO_STREAM (connection), remote, deadline);
  any_tls_accept_async (connection, self->certificate, on_tls_accepted, accept);
}

/* Connections are accepted here, not by libsoup, to look at their first
 * bytes: a JavaScript client tries wss:// before ws://, and libsoup would
 * wait forever for the end of HTTP headers in a TLS ClientHello, so the
 * client never falls back. A TLS record is closed at once. On a ws://
 * port, a plain upgrade request is answered at once (any-ws-upgrade.c):
 * its start is peeked (nothing is consumed) until it is whole, up to
 * MAX_PEEKS times, else libsoup gets the connection as it is.
 *
 * The wait is a watch on the context's one epoll set (edge-triggered: the
 * bytes peeked stay in the socket) and a timer of its one heap: no
 * GSource, no hash table, no address string for a connection that is
 * upgraded here. Its deadlines: FIRST_BYTE_TIMEOUT_MS for the first byte,
 * then the upgrade's from there (libsoup's path gets what is left). */
typedef struct {
  AnyWsServer       *self;
  GSocketConnection *connection;
  AnyPollWatch      *watch;     /* once a peek found too little */
  AnyTimer           timer;
  gint64             deadline;  /* the upgrade's, since the first byte */
  gsize              peeked;    /* bytes the last peek saw */
  guint              peeks;
} Incoming;

static void
incoming_free (Incoming *in)
{
  any_poll_watch_free (in->watch);
  any_timer_cancel (&in->timer);
  g_object_unref (in->connection);
  g_object_unref (in->self);
  g_free (in);
}

static void
incoming_close (Incoming *in)
{
  g_clear_pointer (&in->watch, any_poll_watch_free);
  g_io_stream_close (G_IO_STREAM (in->connection), NULL, NULL);
  incoming_free (in);
}

static void
on_incoming_timeout (AnyTimer *timer,
                     gpointer  user_data)
{
  Incoming *in = user_data;

  g_debug ("Closing a connection: %s in time", in->deadline == 0 ? "no first byte" : "no whole request");
  incoming_close (in);
}

/* A peek that saw nothing new: the client may have ended its stream
 * (FIN: the socket stays readable, on the bytes peeked already). */
static gboolean
peer_ended (int fd)
{
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;

  return getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 || info.tcpi_state != TCP_ESTABLISHED;
}

/* On a ws:// port: answers a plain upgrade request (READY), waits for
 * the rest of one (INCOMPLETE) or gives up on it (DECLINED). @n: the
 * bytes peeked, in @head. */
static AnyWsUpgradeStatus
try_upgrade (Incoming *in,
             int       fd,
             char     *head,
             gsize     n)
{
  AnyWsServer *self = in->self;
  AnyWsUpgrade upgrade;
  AnyWsUpgradeStatus status;
  g_autoptr(AnyTransport) transport = NULL;

  if (in->peeks++ >= MAX_PEEKS)
    return ANY_WS_UPGRADE_DECLINED;
  if (n <= in->peeked)
    return peer_ended (fd) ? ANY_WS_UPGRADE_DECLINED : ANY_WS_UPGRADE_INCOMPLETE;
  in->peeked = n;
  status = any_ws_upgrade_parse (head, n, (const char * const *) self->protocols, self->deflate, &upgrade);
  if (status != ANY_WS_UPGRADE_READY)
    return status;

  g_clear_pointer (&in->watch, any_poll_watch_free);
  transport = any_ws_upgrade_answer (in->connection, &upgrade);
  if (transport == NULL)
    g_io_stream_close (G_IO_STREAM (in->connection), NULL, NULL);
  else if (self->accept_func != NULL)
    self->accept_func (transport, upgrade.request, self->user_data);
  any_ws_upgrade_clear (&upgrade);
  return ANY_WS_UPGRADE_READY;
}

/* Peeks at @in's connection and does what its first bytes ask: FALSE
 * when done with it (@in is freed), TRUE while it waits. */
static gboolean
incoming_read (Incoming *in)
{
  AnyWsServer *self = in->self;
  GSocket *socket = g_socket_connection_get_socket (in->connection);
  int fd = g_socket_get_fd (socket);
  char head[ANY_WS_UPGRADE_MAX_HEAD];
  gssize n = recv (fd, head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
  gboolean tls;
  AnyWsUpgradeStatus status;

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return TRUE;
  /* A tcp:// client's hello (any-stream-hello.h) would wait in libsoup
   * for the end of HTTP headers that never comes: refused at once. */
  if (n >= ANY_STREAM_MAGIC_LEN && memcmp (head, ANY_STREAM_MAGIC, ANY_STREAM_MAGIC_LEN) == 0)
    n = 0;

  /* A TLS port takes only TLS, a plain port only plain HTTP: the other
   * kind of client is closed at once (it fails at once, no hang). */
  tls = n >= 1 && (guchar) head[0] == TLS_HANDSHAKE_RECORD;
  if (n < 1 || self->server == NULL || tls != (self->certificate != NULL))
    {
      incoming_close (in);
      return FALSE;
    }
  if (in->deadline == 0)
    in->deadline = g_get_monotonic_time () + (gint64) self->upgrade_timeout_ms * 1000;

  status = tls ? ANY_WS_UPGRADE_DECLINED : try_upgrade (in, fd, head, (gsize) n);
  if (status == ANY_WS_UPGRADE_INCOMPLETE)
    {
      any_timer_arm_at (&in->timer, in->deadline);
      return TRUE;
    }
  if (status == ANY_WS_UPGRADE_DECLINED)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
      g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);

      g_clear_pointer (&in->watch, any_poll_watch_free);
      if (local == NULL || remote == NULL)
        g_io_stream_close (G_IO_STREAM (in->connection), NULL, NULL);
      else if (tls)
        start_tls (self, in->connection, local, remote, in->deadline);
      else
        accept_http (self, G_IO_STREAM (in->connection), local, remote, in->deadline);
    }
  incoming_free (in);
  return FALSE;
}

static void
on_incoming_ready (gpointer      user_data,
                   AnyPollEvents events)
{
  incoming_read (user_data);
}

static void
on_incoming (GSocketConnection *connection,
             gpointer           user_data)
{
  AnyWsServer *self = user_data;
  Incoming *in = g_new0 (Incoming, 1);

  in->self = g_object_ref (self);
  in->connection = g_object_ref (connection);
  if (self->timers == NULL)
    self->timers = any_timers_get_for_context (g_main_context_get_thread_default ());
  any_timer_init (&in->timer, self->timers, on_incoming_timeout, in);
  /* Often the request is there already: no watch, no timer. */
  if (!incoming_read (in))
    return;
  if (!any_timer_is_armed (&in->timer))
    any_timer_arm_ms (&in->timer, FIRST_BYTE_TIMEOUT_MS);
  in->watch = any_poll_watch_new (g_socket_get_fd (g_socket_connection_get_socket (connection)),
                                  ANY_POLL_IN | ANY_POLL_EDGE, on_incoming_ready, in);
}

typedef struct {
  guint       n;
  const char *value;
} KeyHeaders;

static void
count_keys (const char *name,
            const char *value,
            gpointer    user_data)
{
  KeyHeaders *keys = user_data;

  if (g_ascii_strcasecmp (name, "Sec-WebSocket-Key") == 0)
    {
      keys->n++;
      keys->value = value;
    }
}

/* RFC 6455 4.2.1: one Sec-WebSocket-Key, base64 of 16 bytes. libsoup
 * 3.2.3 checks only one of several (two valid keys, or an empty one and
 * a valid one, get 101); this runs before its WebSocket handler, and a
 * status set here is the answer. A request with no key at all is
 * libsoup's to refuse (it is not an upgrade). */
static void
on_request_read (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  KeyHeaders keys = { 0, NULL };

  soup_message_headers_foreach (headers, count_keys, &keys);
  if (keys.n == 0 || (keys.n == 1 && any_ws_upgrade_key_is_valid (keys.value, strlen (keys.value))))
    return;

  g_debug ("Refusing a WebSocket upgrade: %u Sec-WebSocket-Key headers, '%s'", keys.n, keys.value);
  soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

/* Plain HTTP: the deadline stops while the application answers, and
 * bounds the writing of its answer. libsoup keeps a connection alive only
 * for the listeners it made itself: each of ours serves one request. */
static void
on_http_wrote_headers (SoupServerMessage *msg,
                       gpointer           user_data)
{
  set_deadline (user_data, msg, HTTP_WRITE_TIMEOUT_MS);
}

/* Finished or aborted: libsoup closes the connection (a WebSocket left
 * the table already). */
static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  AnyWsServer *self = user_data;
  g_autofree char *key = address_key (soup_server_message_get_remote_address (msg));

  if (key != NULL)
    g_hash_table_remove (self->upgrading, key);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  any_ws_http_bound_body (msg);
}

/* Every request that got through on_request_read(), before libsoup's
 * WebSocket handshake: a status set here answers it. */
static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  AnyWsServer *self = user_data;

  if (any_ws_http_is_upgrade (msg))
    {
      any_ws_http_answer_upgrade (msg, (const char * const *) self->protocols);
      /* Before libsoup's handler: see the top of the file. */
      if (soup_server_message_get_status (msg) == 0)
        g_signal_connect_object (msg, "wrote-informational", G_CALLBACK (on_wrote_informational), self, 0);
      return;
    }
  set_deadline (self, msg, -1);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  g_signal_connect_object (msg, "wrote-headers", G_CALLBACK (on_http_wrote_headers), self, 0);
  any_ws_http_dispatch (msg, self->http_func, self->http_data);
}

void
any_ws_server_set_protocols (AnyWsServer        *self,
                             const char * const *protocols)
{
  g_strfreev (self->protocols);
  self->protocols = g_strdupv ((char **) protocols);
}

void
any_ws_server_set_http_func (AnyWsServer         *self,
                             AnyWsHttpFunc  func,
                             gpointer             user_data)
{
  self->http_func = func;
  self->http_data = user_data;
}

AnyWsServer *
any_ws_server_new (gboolean              permessage_deflate,
                   AnyWsServerAcceptFunc accept_func,
                   gpointer              user_data)
{
  AnyWsServer *self = g_object_new (ANY_TYPE_WS_SERVER, NULL);

  self->accept_func = accept_func;
  self->user_data = user_data;
  self->server = soup_server_new ("server-header", "libanysocket", NULL);
  self->deflate = permessage_deflate;
  /* permessage-deflate costs ~90 KiB per idle connection and 10-20% of
   * throughput (DESIGN.md): only when asked for. */
  if (!permessage_deflate)
    soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  /* Any path: the JavaScript client uses "/", others may not. A plain
   * HTTP request goes to the application (on_request()). */
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  soup_server_add_websocket_handler (self->server, NULL, NULL, NULL, on_websocket, self, NULL);
  g_signal_connect (self->server, "request-read", G_CALLBACK (on_request_read), self);
  g_signal_connect (self->server, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (on_request_finished), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (on_request_finished), self);
  return self;
}

guint16
any_ws_server_listen (AnyWsServer         *self,
                      GInetSocketAddress  *address,
                      GError             **error)
{
  if (self->acceptor == NULL)
    {
      self->acceptor = any_acceptor_new (on_incoming, self);
      any_acceptor_set_max_connections (self->acceptor, self->max_connections);
    }
  return any_acceptor_listen_inet (self->acceptor, address, error);
}

void
any_ws_server_set_tls_certificate (AnyWsServer     *self,
                                   GTlsCertificate *certificate)
{
  g_set_object (&self->certificate, certificate);
}

void
any_ws_server_set_max_connections (AnyWsServer *self,
                                   guint        max_connections)
{
  self->max_connections = max_connections;
  if (self->acceptor != NULL)
    any_acceptor_set_max_connections (self->acceptor, max_connections);
}

void
any_ws_server_disconnect (AnyWsServer *self)
{
  if (self->acceptor != NULL)
    any_acceptor_close (self->acceptor);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
}
