/* any-ws-transport.c: a transport over one libsoup WebSocket connection
 *
 * libsoup 3.2 queues what we send without a bound and cannot say how much
 * waits, so a peer that stops reading would make us grow without end. We
 * count what we hand to libsoup (with each frame's header) and, every
 * SEND_CHECK_BYTES, ask the kernel how much it took: bytes the peer
 * acknowledged plus bytes in the socket's send queue (TCP_INFO,
 * SIOCOUTQ). The difference is what waits in libsoup; over the limit, the
 * link is closed. What libsoup writes on its own (the upgrade response,
 * pongs, a close) only makes the estimate smaller, never a false alarm.
 * Each frame waiting in libsoup also costs memory besides its bytes
 * (ANY_WS_FLOW_FRAME_COST): a flood of tiny frames counts what it costs.
 *
 * On a connection over our coalescing stream (ws://, both sides), the
 * stream's flow control (any-ws-flow.c) learns of each frame we queue, and
 * tells us when the peer broke a limit it enforces.
 *
 * Lanes (any-transport.h): a frame handed to libsoup waits behind all
 * those handed before it, and so would a pong behind the chunks of a
 * 20 MiB message (measured: pongs 200-380 ms late to a JavaScript peer
 * pinging every 200 ms, which dropped the link). So while more than
 * AHEAD_MAX bytes handed are not yet acknowledged by the peer's TCP,
 * further frames wait here, in order, and are handed as the peer takes
 * what is ahead (checked every FEED_MS); an URGENT frame is handed at
 * once, unless a BARRIER waits here. What waits here counts against the
 * send buffer's limit like what waits in libsoup. Without the kernel's
 * counters (deflate, not Linux) every frame is handed at once.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#ifdef __linux__
#include <linux/sockios.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#define HAVE_SEND_QUEUE_COUNTERS 1
#endif

#include "transport/any-ws-transport.h"

#include "transport/any-coalescing-stream.h"
#include "transport/any-io-stream.h"
#include "transport/any-tcp-keepalive.h"

#include "any-source.h"

/* A close frame's reason is at most 123 bytes (RFC 6455 5.5). */
#define MAX_CLOSE_REASON 123

/* How often (in bytes handed to libsoup) the send queue is measured. */
#define SEND_CHECK_BYTES (256 * 1024)
/* Bytes handed and not yet acknowledged over which frames wait here
 * (a pong waits behind at most this and one chunk), and how often then
 * the kernel is asked what the peer took. */
#define AHEAD_MAX (512 * 1024)
#define FEED_MS 1

struct _AnyWsTransport
{
  AnyTransport             parent_instance;
  SoupWebsocketConnection *connection;
  char                    *remote_address;
  char                    *error_reason;   /* when libsoup refused a frame */

  /* The send queue's bound (see the top of the file); fd -1: unmeasured */
  int                      fd;
  gboolean                 masked;         /* client frames carry a mask */
  gsize                    max_send_buffer;
  guint64                  kernel_at_start;
  guint64                  handed;         /* bytes given to libsoup */
  gsize                    unchecked;      /* cost handed since the last check */
  gboolean                 given_up;       /* closing with error_reason */
  AnyCoalescingStream     *coalescing;     /* or NULL: not over our stream */
  AnyWsFlow               *flow;           /* of @coalescing */

  /* Lanes (see the top of the file) */
  guint64                  acked_at_start;
  guint64                  acked;          /* by the peer, last we asked */
  GQueue                   waiting;        /* WaitingFrame, not handed yet */
  gsize                    waiting_bytes;
  guint                    waiting_barriers;
  GSource                 *feed_source;
  GMainContext            *context;        /* libsoup's, for feed_source */
};

typedef struct {
  GBytes   *frame;
  gboolean  barrier;
  gboolean  binary;
} WaitingFrame;

G_DEFINE_FINAL_TYPE (AnyWsTransport, any_ws_transport, ANY_TYPE_TRANSPORT)

static void
on_message (SoupWebsocketConnection *connection,
            SoupWebsocketDataType    type,
            GBytes                  *message,
            gpointer                 user_data)
{
  AnyTransport *transport = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);

  any_transport_deliver_frame (transport, data, len, type == SOUP_WEBSOCKET_DATA_TEXT);
}

static void
on_closed (SoupWebsocketConnection *connection,
           gpointer                 user_data)
{
  AnyTransport *transport = user_data;
  const char *data = soup_websocket_connection_get_close_data (connection);
  gushort code = soup_websocket_connection_get_close_code (connection);
  g_autofree char *reason = NULL;

  /* The JavaScript peer closes without a reason; report it as it does. */
  if (ANY_WS_TRANSPORT (transport)->error_reason != NULL)
    reason = g_strdup (ANY_WS_TRANSPORT (transport)->error_reason);
  else if (data != NULL && *data != '\0')
    reason = g_strdup (data);
  else if (code == 0 || code == SOUP_WEBSOCKET_CLOSE_NORMAL ||
           code == SOUP_WEBSOCKET_CLOSE_NO_STATUS || code == SOUP_WEBSOCKET_CLOSE_GOING_AWAY)
    reason = g_strdup ("Remote Connection Closed");
  else
    reason = g_strdup_printf ("Remote Connection Closed (WebSocket code %u)", code);

  any_transport_deliver_closed (transport, reason);
}

/* libsoup refuses an oversized frame or invalid UTF-8 on its own and then
 * closes without a reason (or drops the connection without a close
 * frame): close here first, with a reason both sides can read. */
static void
on_error (SoupWebsocketConnection *connection,
          GError                  *error,
          gpointer                 user_data)
{
  AnyWsTransport *self = user_data;
  const char *reason = "Invalid Packet! WebSocket protocol error";
  gushort code = SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR;

  g_debug ("WebSocket error: %s", error->message);
  if (error->domain != SOUP_WEBSOCKET_ERROR || self->error_reason != NULL)
    return;

  if (error->code == SOUP_WEBSOCKET_CLOSE_TOO_BIG)
    {
      reason = "Message too big: WebSocket frame over the size limit";
      code = SOUP_WEBSOCKET_CLOSE_TOO_BIG;
    }
  else if (error->code == SOUP_WEBSOCKET_CLOSE_BAD_DATA)
    {
      reason = "Invalid Packet! Text frame is not valid UTF-8";
      code = SOUP_WEBSOCKET_CLOSE_BAD_DATA;
    }
  self->error_reason = g_strdup (reason);

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection, code, reason);
}

/* Bytes of ours the peer's TCP acknowledged so far, or FALSE. */
static gboolean
kernel_acked (int      fd,
              guint64 *bytes)
{
#ifdef HAVE_SEND_QUEUE_COUNTERS
  struct tcp_info info;
  socklen_t len = sizeof info;

  memset (&info, 0, sizeof info);
  if (getsockopt (fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
      len < offsetof (struct tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked)
    return FALSE;
  *bytes = info.tcpi_bytes_acked;
  return TRUE;
#else
  return FALSE;
#endif
}

/* Bytes the kernel took from us on this socket so far, or FALSE. */
static gboolean
kernel_took (int      fd,
             guint64 *bytes)
{
#ifdef HAVE_SEND_QUEUE_COUNTERS
  guint64 acked;
  int queued = 0;

  if (!kernel_acked (fd, &acked) || ioctl (fd, SIOCOUTQ, &queued) != 0 || queued < 0)
    return FALSE;
  *bytes = acked + (guint64) queued;
  return TRUE;
#else
  return FALSE;
#endif
}

static gboolean
deliver_given_up (gpointer user_data)
{
  AnyWsTransport *self = user_data;

  any_transport_deliver_closed (ANY_TRANSPORT (self), self->error_reason);
  return G_SOURCE_REMOVE;
}

/* Stops sending, closes with @code and @close_reason, and tells the
 * engine @reason (taken) from the main loop, not from inside its own
 * send or libsoup's read, without waiting for the close handshake. */
static void
give_up (AnyWsTransport *self,
         gushort         code,
         const char     *close_reason,
         char           *reason)
{
  self->given_up = TRUE;
  g_free (self->error_reason);
  self->error_reason = reason;
  g_debug ("%s", reason);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, code, close_reason);
  /* On the thread-default context, where the link lives (not GLib's
   * global default one, which another thread may run), at the default
   * priority: an idle one would let a due heartbeat deliver "Missed
   * Heartbeats" first on a busy loop. */
  {
    g_autoptr(GSource) idle = g_idle_source_new ();

    g_source_set_priority (idle, G_PRIORITY_DEFAULT);
    g_source_set_callback (idle, deliver_given_up, g_object_ref (self), g_object_unref);
    g_source_set_static_name (idle, "[anysocket] deliver a given-up link");
    g_source_attach (idle, g_main_context_get_thread_default ());
  }
}

/* The stream's flow control refused what the peer sent. */
static void
on_flow_failed (gpointer    user_data,
                gushort     code,
                const char *reason)
{
  AnyWsTransport *self = user_data;

  if (!self->given_up && self->connection != NULL)
    give_up (self, code, reason, g_strdup (reason));
}

/* Counts @payload_len (and its frame header) as handed to libsoup, and
 * now and then checks what waits against the limit. */
static gboolean
send_queue_fits (AnyWsTransport *self,
                 gsize           payload_len)
{
  gsize frame_len = payload_len + 2 + (payload_len >= 126 ? 2 : 0) + (payload_len > G_MAXUINT16 ? 6 : 0) +
                    (self->masked ? 4 : 0);
  guint64 took, waiting;

  self->handed += frame_len;
  self->unchecked += frame_len + ANY_WS_FLOW_FRAME_COST;
  if (self->fd < 0 || self->max_send_buffer == 0 || self->unchecked < SEND_CHECK_BYTES)
    return TRUE;
  self->unchecked = 0;
  if (!kernel_took (self->fd, &took) || took < self->kernel_at_start)
    return TRUE;
  took -= self->kernel_at_start;
  waiting = self->handed > took ? self->handed - took : 0;
  if (self->flow != NULL)
    waiting += any_ws_flow_waiting_frames (self->flow) * ANY_WS_FLOW_FRAME_COST;
  if (waiting <= self->max_send_buffer)
    return TRUE;

  /* The peer does not read. */
  give_up (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Send buffer full",
           g_strdup_printf ("Send buffer full: the peer is not reading (%" G_GUINT64_FORMAT
                            " bytes waiting)", waiting));
  return FALSE;
}

static gboolean
can_send (AnyWsTransport *self)
{
  return self->connection != NULL && !self->given_up &&
         soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;
}

/* Gives @frame to libsoup. */
static void
hand (AnyWsTransport *self,
      GBytes         *frame,
      gboolean        binary)
{
  if (!send_queue_fits (self, g_bytes_get_size (frame)))
    return;
  if (self->flow != NULL)
    any_ws_flow_queued (self->flow);
  /* Never send_text(): the chunk header holds NUL code points. */
  soup_websocket_connection_send_message (self->connection,
                                          binary ? SOUP_WEBSOCKET_DATA_BINARY : SOUP_WEBSOCKET_DATA_TEXT, frame);
}

/* Bytes handed that the peer's TCP has not acknowledged (0 when the
 * kernel cannot tell). The kernel is asked only when the last answer
 * leaves more than AHEAD_MAX: once per AHEAD_MAX bytes sent at most
 * while the peer keeps up. */
static guint64
bytes_ahead (AnyWsTransport *self)
{
  guint64 acked;

  if (self->fd < 0)
    return 0;
  if (self->handed - MIN (self->acked, self->handed) > AHEAD_MAX && kernel_acked (self->fd, &acked) &&
      acked >= self->acked_at_start)
    self->acked = acked - self->acked_at_start;
  return self->handed - MIN (self->acked, self->handed);
}

static void
waiting_frame_free (WaitingFrame *waiting)
{
  g_bytes_unref (waiting->frame);
  g_free (waiting);
}

static void
drop_waiting (AnyWsTransport *self)
{
  any_clear_source (&self->feed_source);
  g_queue_clear_full (&self->waiting, (GDestroyNotify) waiting_frame_free);
  self->waiting_bytes = 0;
  self->waiting_barriers = 0;
}

/* Hands waiting frames, in order, while the peer has taken what is ahead
 * (all of them if @all). */
static void
hand_waiting (AnyWsTransport *self,
              gboolean        all)
{
  WaitingFrame *waiting;

  while (can_send (self) && !g_queue_is_empty (&self->waiting) &&
         (all || bytes_ahead (self) <= AHEAD_MAX))
    {
      waiting = g_queue_pop_head (&self->waiting);
      self->waiting_bytes -= g_bytes_get_size (waiting->frame);
      self->waiting_barriers -= waiting->barrier ? 1 : 0;
      hand (self, waiting->frame, waiting->binary);
      waiting_frame_free (waiting);
    }
  if (!can_send (self))
    drop_waiting (self);
}

static gboolean
feed_tick (gpointer user_data)
{
  AnyWsTransport *self = user_data;

  hand_waiting (self, FALSE);
  if (!g_queue_is_empty (&self->waiting))
    return G_SOURCE_CONTINUE;
  g_clear_pointer (&self->feed_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
send_data (AnyWsTransport   *self,
           GBytes           *frame,
           AnyTransportLane  lane,
           gboolean          binary)
{
  WaitingFrame *waiting;

  if (!can_send (self))
    return;
  if (lane == ANY_TRANSPORT_LANE_URGENT ? self->waiting_barriers == 0 :
      g_queue_is_empty (&self->waiting) && bytes_ahead (self) <= AHEAD_MAX)
    {
      hand (self, frame, binary);
      return;
    }

  waiting = g_new (WaitingFrame, 1);
  waiting->frame = g_bytes_ref (frame);
  waiting->barrier = lane == ANY_TRANSPORT_LANE_BARRIER;
  waiting->binary = binary;
  g_queue_push_tail (&self->waiting, waiting);
  self->waiting_bytes += g_bytes_get_size (frame);
  self->waiting_barriers += waiting->barrier ? 1 : 0;
  if (self->max_send_buffer != 0 && self->waiting_bytes + bytes_ahead (self) > self->max_send_buffer)
    {
      give_up (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Send buffer full",
               g_strdup_printf ("Send buffer full: the peer is not reading (%" G_GUINT64_FORMAT
                                " bytes waiting)", (guint64) self->waiting_bytes + bytes_ahead (self)));
      drop_waiting (self);
      return;
    }
  if (self->feed_source == NULL)
    {
      self->feed_source = g_timeout_source_new (FEED_MS);
      g_source_set_callback (self->feed_source, feed_tick, self, NULL);
      g_source_attach (self->feed_source, self->context);
    }
}

static void
any_ws_transport_send_lane (AnyTransport     *transport,
                            GBytes           *frame,
                            AnyTransportLane  lane)
{
  send_data (ANY_WS_TRANSPORT (transport), frame, lane, FALSE);
}

static void
any_ws_transport_send_binary (AnyTransport     *transport,
                              GBytes           *frame,
                              AnyTransportLane  lane)
{
  send_data (ANY_WS_TRANSPORT (transport), frame, lane, TRUE);
}

static void
any_ws_transport_send (AnyTransport *transport,
                       GBytes       *frame)
{
  any_ws_transport_send_lane (transport, frame, ANY_TRANSPORT_LANE_ORDERED);
}

static void
any_ws_transport_set_max_send_buffer (AnyTransport *transport,
                                      gsize         max_bytes)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);

  self->max_send_buffer = max_bytes;
}

static void
drop_connection_when_closed (SoupWebsocketConnection *connection,
                             gpointer                 user_data)
{
  g_object_unref (connection);
}

static void
any_ws_transport_close (AnyTransport *transport,
                        const char   *reason)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);
  SoupWebsocketConnection *connection;
  char truncated[MAX_CLOSE_REASON + 1];

  /* What was sent before the close goes before it, as in libsoup. */
  hand_waiting (self, TRUE);
  drop_waiting (self);
  connection = g_steal_pointer (&self->connection);

  g_signal_handlers_disconnect_by_data (connection, self);

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_CLOSED)
    {
      g_object_unref (connection);
      return;
    }

  /* The close handshake outlives us: the connection keeps itself alive
   * until libsoup reports it closed (or its close timeout fires). */
  g_signal_connect (connection, "closed", G_CALLBACK (drop_connection_when_closed), NULL);

  /* Closing already (the other side's close frame came, and libsoup
   * answered it; or we refused a frame): libsoup finishes the handshake,
   * and a second close is a critical. */
  if (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;

  truncated[0] = '\0';
  if (reason != NULL)
    {
      const char *end = reason;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);
          if (next - reason > MAX_CLOSE_REASON)
            break;
          end = next;
        }
      memcpy (truncated, reason, end - reason);
      truncated[end - reason] = '\0';
    }
  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, truncated);
}

static void
any_ws_transport_set_max_frame_size (AnyTransport *transport,
                                     gsize         max_bytes)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);

  if (self->connection != NULL)
    soup_websocket_connection_set_max_incoming_payload_size (self->connection, max_bytes);
  /* A message carries one chunk: the same bound, over all its fragments. */
  if (self->flow != NULL)
    any_ws_flow_set_max_message (self->flow, max_bytes);
}

static void
any_ws_transport_set_tcp_keepalive (AnyTransport *transport,
                                    guint         idle_s)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (transport);
  GSocket *socket;
  int fd;

  if (self->connection == NULL)
    return;
  socket = any_io_stream_find_socket (soup_websocket_connection_get_io_stream (self->connection));
  fd = socket != NULL ? g_socket_get_fd (socket) : -1;
  if (fd >= 0)
    any_tcp_keepalive_apply (fd, idle_s);
}

static const char *
any_ws_transport_get_remote_address (AnyTransport *transport)
{
  return ANY_WS_TRANSPORT (transport)->remote_address;
}

static void
any_ws_transport_dispose (GObject *object)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (object);

  /* Not any_transport_close(): once the transport has reported itself
   * closed (we gave up on the send queue) it would do nothing, and
   * libsoup, still closing, would call handlers holding a freed self. */
  if (self->connection != NULL)
    any_ws_transport_close (ANY_TRANSPORT (self), "Peer destroyed");
  drop_waiting (self);
  /* The stream may outlive us while libsoup closes. */
  if (self->flow != NULL)
    any_ws_flow_set_fail_func (g_steal_pointer (&self->flow), NULL, NULL);
  g_clear_object (&self->coalescing);

  G_OBJECT_CLASS (any_ws_transport_parent_class)->dispose (object);
}

static void
any_ws_transport_finalize (GObject *object)
{
  AnyWsTransport *self = ANY_WS_TRANSPORT (object);

  g_free (self->remote_address);
  g_free (self->error_reason);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (any_ws_transport_parent_class)->finalize (object);
}

static void
any_ws_transport_class_init (AnyWsTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AnyTransportClass *transport_class = ANY_TRANSPORT_CLASS (klass);

  object_class->dispose = any_ws_transport_dispose;
  object_class->finalize = any_ws_transport_finalize;
  transport_class->send = any_ws_transport_send;
  transport_class->send_lane = any_ws_transport_send_lane;
  transport_class->send_binary = any_ws_transport_send_binary;
  transport_class->close = any_ws_transport_close;
  transport_class->set_max_frame_size = any_ws_transport_set_max_frame_size;
  transport_class->set_max_send_buffer = any_ws_transport_set_max_send_buffer;
  transport_class->get_remote_address = any_ws_transport_get_remote_address;
  transport_class->set_tcp_keepalive = any_ws_transport_set_tcp_keepalive;
}

static void
any_ws_transport_init (AnyWsTransport *self)
{
  self->fd = -1;
  g_queue_init (&self->waiting);
  self->context = g_main_context_ref_thread_default ();
}

/* Starts measuring the send queue, when it can be measured exactly. */
static void
watch_send_queue (AnyWsTransport          *self,
                  SoupWebsocketConnection *connection)
{
  GSocket *socket = any_io_stream_find_socket (soup_websocket_connection_get_io_stream (connection));
  int fd = socket != NULL ? g_socket_get_fd (socket) : -1;

  if (fd < 0 || soup_websocket_connection_get_extensions (connection) != NULL ||
      !kernel_took (fd, &self->kernel_at_start))
    return;   /* deflate (or no TCP counters): what we hand is not what goes out */
  self->fd = fd;
  if (!kernel_acked (fd, &self->acked_at_start))
    self->acked_at_start = 0;
  self->masked = soup_websocket_connection_get_connection_type (connection) == SOUP_WEBSOCKET_CONNECTION_CLIENT;
}

AnyTransport *
any_ws_transport_new (SoupWebsocketConnection *connection,
                      GSocketAddress          *remote_address)
{
  AnyWsTransport *self = g_object_new (ANY_TYPE_WS_TRANSPORT, NULL);
  AnyCoalescingStream *coalescing;

  self->connection = g_object_ref (connection);
  self->remote_address = any_transport_format_address (remote_address);

  watch_send_queue (self, connection);
  coalescing = any_coalescing_stream_find (soup_websocket_connection_get_io_stream (connection));
  if (coalescing != NULL)
    {
      /* Held: the connection may let go of it first, when it closes. */
      self->coalescing = g_object_ref (coalescing);
      self->flow = any_coalescing_stream_get_flow (coalescing);
      any_ws_flow_set_fail_func (self->flow, on_flow_failed, self);
      any_ws_flow_set_backpressure (self->flow, soup_websocket_connection_get_connection_type (connection) ==
                                                SOUP_WEBSOCKET_CONNECTION_SERVER);
    }
  /* Keepalive is the protocol's heartbeat, not WebSocket pings. */
  soup_websocket_connection_set_keepalive_interval (connection, 0);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (connection, "error", G_CALLBACK (on_error), self);

  return ANY_TRANSPORT (self);
}
