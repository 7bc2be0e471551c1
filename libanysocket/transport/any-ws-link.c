/* any-ws-link.c: a transport that frames WebSockets itself, on the raw
 * socket of a ws:// connection
 *
 * libsoup's WebSocket costs a GSource per connection, a send(2) per frame,
 * 1 KiB reads and per-frame debug formatting (issue 14). Once the HTTP
 * upgrade is done (by libsoup's server, or by any-ws-connect.c), this
 * transport owns the socket: it is watched by the context's one poll
 * source (any-poll.c), frames are parsed by any-ws-parser.c and written
 * by any-ws-writer.c.
 *
 * Reading: one recv(2) of up to 64 KiB (READ_BUDGET) per turn, into the
 * context's shared buffer (an idle connection holds no read buffer); what
 * is left in the socket waits for the next turn, after the other ready
 * connections (the poll is level-triggered). Messages whose payload is
 * all in that buffer go up without a copy.
 *
 * Writing: frames wait in a queue of (header, payload reference); inside
 * the poll's dispatch they go out together when the dispatch ends, in one
 * sendmsg(2) per batch (or per EARLY_FLUSH_FRAMES frames of a big batch),
 * outside it at once. The socket has
 * TCP_NOTSENT_LOWAT: the kernel keeps at most NOTSENT_LOWAT bytes it has
 * not sent, the rest waits here, where lanes (any-transport.h) order it:
 * an URGENT frame (a pong) goes ahead of every frame not started, unless a
 * BARRIER waits. What waits counts against the send buffer's limit, each
 * frame at its memory cost besides its bytes (any-ws-out-queue.c). On the
 * accepting side, while more than MAX_WAITING_FRAMES wait for a peer that
 * does not read, that peer is not read either (it then misses its
 * heartbeats), as the coalescing stream's flow control did.
 *
 * Closing: our close frame goes after what was queued; the socket is
 * closed once both close frames have crossed (the server at once; the
 * client after the server's end of stream), or when the peer ends its
 * stream, or after ANY_WS_LINK_CLOSE_TIMEOUT_MS whatever the peer does: a
 * closing link keeps itself alive until then. A frame the RFC refuses
 * fails the link with the parser's code and reason (the reason is also
 * what the engine is told); what the peer sends afterwards is read and
 * dropped so that it can read our close frame.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-link.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "any-source.h"
#include "transport/any-io-stream.h"
#include "transport/any-poll.h"
#include "transport/any-tcp-keepalive.h"
#include "transport/any-ws-out-queue.h"
#include "transport/any-ws-parser.h"
#include "transport/any-ws-writer.h"

/* Until the engine says (the frame guard's pre-AUTH budget). */
#define DEFAULT_MAX_MESSAGE (128 * 1024)
/* Bytes the kernel may hold unsent: a pong waits behind at most this. */
#define NOTSENT_LOWAT (128 * 1024)
/* Frames waiting for a peer that does not read that stop reading it, and
 * that let it go on. */
#define MAX_WAITING_FRAMES 1024
#define RESUME_WAITING_FRAMES (MAX_WAITING_FRAMES / 2)
/* A batch writes what it has once this many frames wait, not only at
 * its end: with many requests in flight on one connection (1 x 64 in
 * tests/bench), the peer then works on the first half while we make the
 * second, instead of each side waiting for the other's whole batch. One
 * more sendmsg(2) per 32 frames; a batch of fewer frames (one request
 * per connection, fan-out) still goes out in one. */
#define EARLY_FLUSH_FRAMES 32

/* iovecs per sendmsg(2): two per frame, one per shared frame */
#define MAX_IOV 128
/* A close frame's reason is at most 123 bytes (RFC 6455 5.5). */
#define MAX_CLOSE_REASON 123


typedef enum {
  LINK_OPEN,
  LINK_CLOSING,    /* our close frame queued or sent, or the peer's came */
  LINK_DONE,       /* the socket is closed */
} LinkState;

struct _AnyWsLink
{
  AnyTransport   parent_instance;
  GIOStream     *stream;
  GSocket       *socket;
  int            fd;
  AnyPollWatch  *watch;
  gboolean       server;
  char          *remote_address;
  AnyWsParser    parser;
  AnyWsMasks    *masks;          /* a client's */

  guint8        *pending;        /* read past the upgrade, not parsed yet */
  gsize          pending_len;
  GSource       *pending_source;

  AnyWsOutQueue  out;            /* not written yet */
  gboolean       blocked;        /* the kernel refused the last write */
  gsize          max_send_buffer;
  gboolean       paused;         /* not reading: our answers pile up */
  gboolean       broken;         /* a write failed: the peer is gone */

  LinkState      state;
  gboolean       close_queued;
  gboolean       close_received;
  GSource       *close_timer;
  GSource       *given_up_source;
  char          *given_up_reason;
};

G_DEFINE_FINAL_TYPE (AnyWsLink, any_ws_link, ANY_TYPE_TRANSPORT)

static void flush (AnyWsLink *self);
static void finish (AnyWsLink *self);

/* --- interest ------------------------------------------------------------ */

static void
update_interest (AnyWsLink *self)
{
  AnyPollEvents events = 0;

  if (self->watch == NULL)
    return;
  if (self->pending == NULL && !self->paused)
    events |= ANY_POLL_IN;
  if (self->blocked && any_ws_out_queue_length (&self->out) > 0)
    events |= ANY_POLL_OUT;
  any_poll_watch_set_events (self->watch, events);
}

/* --- closing ------------------------------------------------------------- */

static gboolean
on_close_timeout (gpointer user_data)
{
  AnyWsLink *self = user_data;

  g_debug ("WebSocket %s: no end of the close handshake in time", self->remote_address);
  finish (self);
  return G_SOURCE_REMOVE;
}

/* The close timer goes (it fired, the link finished, or its context was
 * destroyed): the reference closing took goes with it. */
static void
close_timer_gone (gpointer user_data)
{
  AnyWsLink *self = user_data;

  g_clear_pointer (&self->close_timer, g_source_unref);
  finish (self);
  g_object_unref (self);
}

/* The close handshake may take ANY_WS_LINK_CLOSE_TIMEOUT_MS from now. */
static void
extend_close_deadline (AnyWsLink *self)
{
  if (self->close_timer != NULL)
    g_source_set_ready_time (self->close_timer,
                             g_get_monotonic_time () + ANY_WS_LINK_CLOSE_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND);
}

/* Enters CLOSING: the link keeps itself (its close timer holds it) until
 * finish(). The timer runs from the last byte the kernel took: what was
 * queued before the close frame goes out first, however long it takes a
 * peer that reads. */
static void
start_closing (AnyWsLink *self)
{
  if (self->state != LINK_OPEN)
    return;
  self->state = LINK_CLOSING;
  self->close_timer = any_deadline_source_new ();
  g_source_set_callback (self->close_timer, on_close_timeout, g_object_ref (self), close_timer_gone);
  g_source_set_static_name (self->close_timer, "[anysocket] WebSocket close handshake");
  extend_close_deadline (self);
  g_source_attach (self->close_timer, g_main_context_get_thread_default ());
}

static void
queue_close (AnyWsLink  *self,
             gushort     code,
             const char *reason)
{
  guint8 payload[2 + MAX_CLOSE_REASON];
  gsize len = 0;

  if (self->close_queued)
    return;
  self->close_queued = TRUE;
  if (code != ANY_WS_CLOSE_NO_STATUS)
    {
      const char *end = reason != NULL ? reason : "";

      /* Cut on a character boundary. */
      while (*end != '\0' && g_utf8_next_char (end) - (reason != NULL ? reason : "") <= MAX_CLOSE_REASON)
        end = g_utf8_next_char (end);
      payload[0] = code >> 8;
      payload[1] = code & 0xff;
      len = 2 + (reason != NULL ? (gsize) (end - reason) : 0);
      if (len > 2)
        memcpy (payload + 2, reason, len - 2);
    }
  any_ws_out_queue_push (&self->out, ANY_WS_OPCODE_CLOSE, NULL, payload, len, ANY_TRANSPORT_LANE_ORDERED,
                         self->masks);
}

/* Everything queued is written: what the handshake does next. */
static void
close_written (AnyWsLink *self)
{
  if (self->state != LINK_CLOSING || !self->close_queued || any_ws_out_queue_length (&self->out) > 0)
    return;
  if (self->close_received && self->server)
    {
      finish (self);
      return;
    }
  /* The client waits for the server's end of stream; after an error, we
   * wait for the peer's, reading what it sends. */
  if (self->close_received || self->parser.error_code != 0)
    shutdown (self->fd, SHUT_WR);
}

static void
finish (AnyWsLink *self)
{
  if (self->state == LINK_DONE)
    return;
  self->state = LINK_DONE;
  g_clear_pointer (&self->watch, any_poll_watch_free);
  any_clear_source (&self->pending_source);
  g_clear_pointer (&self->pending, g_free);
  any_ws_out_queue_clear (&self->out);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  /* Last: its reference may be the last one. */
  if (self->close_timer != NULL)
    g_source_destroy (self->close_timer);
}

static gboolean
deliver_given_up (gpointer user_data)
{
  AnyWsLink *self = user_data;

  g_clear_pointer (&self->given_up_source, g_source_unref);
  any_transport_deliver_closed (ANY_TRANSPORT (self), self->given_up_reason);
  return G_SOURCE_REMOVE;
}

/* Closes with @code and @close_reason and tells the engine @reason
 * (taken) from the main loop, not from inside its own send. */
static void
give_up (AnyWsLink  *self,
         gushort     code,
         const char *close_reason,
         char       *reason)
{
  g_debug ("%s", reason);
  g_free (self->given_up_reason);
  self->given_up_reason = reason;
  any_ws_out_queue_drop_unstarted (&self->out);
  queue_close (self, code, close_reason);
  start_closing (self);
  if (self->given_up_source == NULL)
    {
      self->given_up_source = g_idle_source_new ();
      g_source_set_priority (self->given_up_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->given_up_source, deliver_given_up, g_object_ref (self), g_object_unref);
      g_source_set_static_name (self->given_up_source, "[anysocket] deliver a given-up link");
      g_source_attach (self->given_up_source, g_main_context_get_thread_default ());
    }
  flush (self);
}

/* --- writing ------------------------------------------------------------- */

static void
check_send_buffer (AnyWsLink *self)
{
  guint64 waiting = any_ws_out_queue_cost (&self->out);

  if (self->state != LINK_OPEN || self->max_send_buffer == 0 || waiting <= self->max_send_buffer)
    return;
  give_up (self, ANY_WS_CLOSE_POLICY, "Send buffer full",
           g_strdup_printf ("Send buffer full: the peer is not reading (%" G_GUINT64_FORMAT " bytes waiting)",
                            waiting));
}

/* Writes what waits, as far as the kernel takes it. */
static void
flush (AnyWsLink *self)
{
  while (any_ws_out_queue_length (&self->out) > 0 && self->state != LINK_DONE)
    {
      struct iovec iov[MAX_IOV];
      struct msghdr msg = { 0 };
      gsize total = 0;
      guint n_iov;
      gssize n;

      n_iov = any_ws_out_queue_fill (&self->out, iov, MAX_IOV, &total);
      msg.msg_iov = iov;
      msg.msg_iovlen = n_iov;
      n = sendmsg (self->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          self->blocked = TRUE;
          break;
        }
      if (n < 0)
        {
          /* The peer is gone (a reset, most often): what it sent before
           * and we did not read yet is not handled. Reported from the
           * poll's dispatch (epoll says ERR or HUP), not from here: this
           * may be the engine's own send. */
          g_debug ("WebSocket %s: %s", self->remote_address, g_strerror (errno));
          any_ws_out_queue_clear (&self->out);
          self->broken = TRUE;
          break;
        }
      any_ws_out_queue_consume (&self->out, n);
      extend_close_deadline (self);
      self->blocked = (gsize) n < total;
      if (self->blocked)
        break;
    }

  if (any_ws_out_queue_length (&self->out) == 0)
    self->blocked = FALSE;
  if (self->blocked)
    {
      if (self->server && !self->paused && any_ws_out_queue_length (&self->out) > MAX_WAITING_FRAMES)
        {
          g_debug ("%u frames wait for a peer that does not read: reading it paused", any_ws_out_queue_length (&self->out));
          self->paused = TRUE;
        }
      check_send_buffer (self);
    }
  else if (self->paused && any_ws_out_queue_length (&self->out) <= RESUME_WAITING_FRAMES)
    self->paused = FALSE;
  if (self->state == LINK_DONE)
    return;
  update_interest (self);
  close_written (self);
}

/* Writes now, or when the poll's dispatch ends if inside it. */
static void
schedule_flush (AnyWsLink *self)
{
  if (self->blocked || self->state == LINK_DONE)
    return;
  if (self->watch != NULL && any_poll_watch_defer_flush (self->watch))
    return;
  flush (self);
}

/* A frame was queued: it goes out with the batch, or now once
 * EARLY_FLUSH_FRAMES wait, so that the peer starts on those while the
 * rest of the batch is made. */
static void
queued (AnyWsLink *self)
{
  if (self->blocked)
    check_send_buffer (self);
  if (!self->blocked && self->state != LINK_DONE && any_ws_out_queue_length (&self->out) >= EARLY_FLUSH_FRAMES)
    flush (self);
  else
    schedule_flush (self);
}

static void
push_data (AnyWsLink        *self,
           guint8            opcode,
           GBytes           *frame,
           AnyTransportLane  lane)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  if (self->state != LINK_OPEN)
    return;
  any_ws_out_queue_push (&self->out, opcode, frame, data, len, lane, self->masks);
  queued (self);
}

static void
any_ws_link_send_lane (AnyTransport     *transport,
                       GBytes           *frame,
                       AnyTransportLane  lane)
{
  push_data (ANY_WS_LINK (transport), ANY_WS_OPCODE_TEXT, frame, lane);
}

/* A broadcast: a server queues the frame built once for every peer; a
 * client masks its own copy. */
static void
any_ws_link_send_shared (AnyTransport     *transport,
                         AnySharedFrame   *frame,
                         AnyTransportLane  lane)
{
  AnyWsLink *self = ANY_WS_LINK (transport);

  if (self->masks != NULL)
    {
      any_ws_link_send_lane (transport, any_shared_frame_get_payload (frame), lane);
      return;
    }
  if (self->state != LINK_OPEN)
    return;
  any_ws_out_queue_push_wire (&self->out, any_shared_frame_get_ws_server_frame (frame), lane);
  queued (self);
}

static void
any_ws_link_send_binary (AnyTransport     *transport,
                         GBytes           *frame,
                         AnyTransportLane  lane)
{
  push_data (ANY_WS_LINK (transport), ANY_WS_OPCODE_BINARY, frame, lane);
}

static void
any_ws_link_send (AnyTransport *transport,
                  GBytes       *frame)
{
  any_ws_link_send_lane (transport, frame, ANY_TRANSPORT_LANE_ORDERED);
}

/* --- reading ------------------------------------------------------------- */

static void
peer_closed (AnyWsLink *self)
{
  const char *reason = self->parser.close_reason;
  gushort code = self->parser.close_code;
  g_autofree char *said = NULL;

  self->close_received = TRUE;
  if (self->state == LINK_OPEN)
    {
      /* Answered with its code, as RFC 6455 5.5.1 suggests; a close
       * without one with 1000 (as Autobahn 7.3.1 expects). */
      queue_close (self, code == ANY_WS_CLOSE_NO_STATUS ? ANY_WS_CLOSE_NORMAL : code, "");
      start_closing (self);
      schedule_flush (self);
      /* The JavaScript peer closes without a reason; say it as it does. */
      if (*reason != '\0')
        said = g_strdup (reason);
      else if (code == ANY_WS_CLOSE_NORMAL || code == ANY_WS_CLOSE_NO_STATUS || code == ANY_WS_CLOSE_GOING_AWAY)
        said = g_strdup ("Remote Connection Closed");
      else
        said = g_strdup_printf ("Remote Connection Closed (WebSocket code %u)", code);
      any_transport_deliver_closed (ANY_TRANSPORT (self), said);
      return;
    }
  if (any_ws_out_queue_length (&self->out) == 0)
    close_written (self);
}

/* The peer refused by the parser: close with its code and reason. */
static void
protocol_error (AnyWsLink *self)
{
  const char *reason = self->parser.error_reason;

  g_debug ("WebSocket %s: %s", self->remote_address, reason);
  if (self->state != LINK_OPEN)
    return;
  any_ws_out_queue_drop_unstarted (&self->out);
  queue_close (self, self->parser.error_code, reason);
  start_closing (self);
  schedule_flush (self);
  any_transport_deliver_closed (ANY_TRANSPORT (self), reason);
}

/* Handles @len bytes of the stream (unmasked in place). */
static void
process (AnyWsLink *self,
         guint8    *data,
         gsize      len)
{
  g_object_ref (self);
  while (len > 0 && self->state != LINK_DONE)
    {
      gsize taken = 0;
      AnyWsParseResult result;

      if (self->parser.error_code != 0)
        break;   /* dropped: the stream has no frames any more */
      result = any_ws_parser_feed (&self->parser, data, len, &taken);
      data += taken;
      len -= taken;
      switch (result)
        {
        case ANY_WS_PARSE_MORE:
          break;
        case ANY_WS_PARSE_MESSAGE:
          if (self->state == LINK_OPEN)
            any_transport_deliver_frame (ANY_TRANSPORT (self), self->parser.data, self->parser.len,
                                         self->parser.is_text);
          break;
        case ANY_WS_PARSE_PING:
          if (self->state == LINK_OPEN)
            {
              any_ws_out_queue_push (&self->out, ANY_WS_OPCODE_PONG, NULL, self->parser.data, self->parser.len,
                                     ANY_TRANSPORT_LANE_URGENT, self->masks);
              schedule_flush (self);
            }
          break;
        case ANY_WS_PARSE_PONG:
          break;
        case ANY_WS_PARSE_CLOSE:
          peer_closed (self);
          break;
        case ANY_WS_PARSE_ERROR:
          protocol_error (self);
          break;
        }
    }
  g_object_unref (self);
}

/* The peer's end of stream, or a socket error. */
static void
connection_lost (AnyWsLink *self)
{
  g_object_ref (self);
  finish (self);
  any_transport_deliver_closed (ANY_TRANSPORT (self), "Remote Connection Closed");
  g_object_unref (self);
}

static void
read_once (AnyWsLink *self)
{
  gsize size;
  guint8 *buffer = any_poll_watch_read_buffer (self->watch, &size);
  gssize n = recv (self->fd, buffer, size, MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    return;
  if (n <= 0)
    {
      connection_lost (self);
      return;
    }
  process (self, buffer, n);
}

static void
on_ready (gpointer      user_data,
          AnyPollEvents events)
{
  AnyWsLink *self = user_data;

  g_object_ref (self);
  if (events & (ANY_POLL_OUT | ANY_POLL_FLUSH))
    {
      if (events & ANY_POLL_OUT)
        self->blocked = FALSE;
      flush (self);
    }
  if (self->broken && self->state != LINK_DONE)
    connection_lost (self);
  else if ((events & (ANY_POLL_IN | ANY_POLL_ERR)) && self->state != LINK_DONE)
    {
      if (self->paused && !(events & ANY_POLL_ERR))
        ;   /* a level-triggered leftover of before the pause */
      else
        read_once (self);
    }
  g_object_unref (self);
}

static gboolean
on_pending (gpointer user_data)
{
  AnyWsLink *self = user_data;
  guint8 *pending = g_steal_pointer (&self->pending);

  g_clear_pointer (&self->pending_source, g_source_unref);
  update_interest (self);
  process (self, pending, self->pending_len);
  g_free (pending);
  return G_SOURCE_REMOVE;
}

/* --- the transport ------------------------------------------------------- */

static void
any_ws_link_close (AnyTransport *transport,
                   const char   *reason)
{
  AnyWsLink *self = ANY_WS_LINK (transport);

  if (self->state != LINK_OPEN)
    return;
  queue_close (self, ANY_WS_CLOSE_NORMAL, reason);
  start_closing (self);
  schedule_flush (self);
}

static void
any_ws_link_set_max_frame_size (AnyTransport *transport,
                                gsize         max_bytes)
{
  ANY_WS_LINK (transport)->parser.max_message = max_bytes > 0 ? max_bytes : G_MAXUINT64;
}

static void
any_ws_link_set_max_send_buffer (AnyTransport *transport,
                                 gsize         max_bytes)
{
  ANY_WS_LINK (transport)->max_send_buffer = max_bytes;
}

static const char *
any_ws_link_get_remote_address (AnyTransport *transport)
{
  return ANY_WS_LINK (transport)->remote_address;
}

static void
any_ws_link_set_tcp_keepalive (AnyTransport *transport,
                               guint         idle_s)
{
  AnyWsLink *self = ANY_WS_LINK (transport);

  if (self->state != LINK_DONE && g_socket_get_family (self->socket) != G_SOCKET_FAMILY_UNIX)
    any_tcp_keepalive_apply (self->fd, idle_s);
}

static void
any_ws_link_dispose (GObject *object)
{
  AnyWsLink *self = ANY_WS_LINK (object);

  /* Dropped while open: one try to say so, then the socket goes. */
  if (self->state == LINK_OPEN)
    {
      queue_close (self, ANY_WS_CLOSE_GOING_AWAY, "Peer destroyed");
      self->state = LINK_CLOSING;
      flush (self);
    }
  finish (self);
  any_clear_source (&self->given_up_source);
  g_clear_object (&self->stream);
  g_clear_object (&self->socket);

  G_OBJECT_CLASS (any_ws_link_parent_class)->dispose (object);
}

static void
any_ws_link_finalize (GObject *object)
{
  AnyWsLink *self = ANY_WS_LINK (object);

  any_ws_parser_clear (&self->parser);
  g_clear_pointer (&self->masks, any_ws_masks_free);
  g_free (self->remote_address);
  g_free (self->given_up_reason);

  G_OBJECT_CLASS (any_ws_link_parent_class)->finalize (object);
}

static void
any_ws_link_class_init (AnyWsLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  AnyTransportClass *transport_class = ANY_TRANSPORT_CLASS (klass);

  object_class->dispose = any_ws_link_dispose;
  object_class->finalize = any_ws_link_finalize;
  transport_class->send = any_ws_link_send;
  transport_class->send_lane = any_ws_link_send_lane;
  transport_class->send_binary = any_ws_link_send_binary;
  transport_class->send_shared = any_ws_link_send_shared;
  transport_class->close = any_ws_link_close;
  transport_class->set_max_frame_size = any_ws_link_set_max_frame_size;
  transport_class->set_max_send_buffer = any_ws_link_set_max_send_buffer;
  transport_class->get_remote_address = any_ws_link_get_remote_address;
  transport_class->set_tcp_keepalive = any_ws_link_set_tcp_keepalive;
}

static void
any_ws_link_init (AnyWsLink *self)
{
  self->fd = -1;
}

/* @masked: RFC 6455's masking (the WebSocket) or none either way (the
 * stream transport's framing, any-stream-dial.c). */
static AnyTransport *
link_new (GIOStream    *stream,
          gboolean      server,
          gboolean      masked,
          const guint8 *pending,
          gsize         pending_len,
          char         *remote_address)
{
  GSocket *socket = any_io_stream_find_socket (stream);
  int lowat = NOTSENT_LOWAT;
  AnyWsLink *self;

  g_return_val_if_fail (socket != NULL, NULL);
  self = g_object_new (ANY_TYPE_WS_LINK, NULL);
  self->stream = g_object_ref (stream);
  self->socket = g_object_ref (socket);
  self->fd = g_socket_get_fd (socket);
  self->server = server;
  self->remote_address = remote_address;
  any_ws_parser_init (&self->parser, server && masked, DEFAULT_MAX_MESSAGE);
  if (!server && masked)
    self->masks = any_ws_masks_new ();
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    setsockopt (self->fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);

  /* Reading at once unless bytes behind the upgrade come first: one
   * epoll_ctl(2), not an ADD then a MOD (update_interest()). */
  self->watch = any_poll_watch_new (self->fd, pending_len > 0 ? 0 : ANY_POLL_IN, on_ready, self);
  if (pending_len > 0)
    {
      /* Parsed before anything read from the socket, from the loop: the
       * engine sets its receiver after this returns. */
      self->pending = g_memdup2 (pending, pending_len);
      self->pending_len = pending_len;
      self->pending_source = g_idle_source_new ();
      g_source_set_priority (self->pending_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->pending_source, on_pending, self, NULL);
      g_source_set_static_name (self->pending_source, "[anysocket] WebSocket bytes behind the upgrade");
      g_source_attach (self->pending_source, g_main_context_get_thread_default ());
    }
  update_interest (self);
  return ANY_TRANSPORT (self);
}

AnyTransport *
any_ws_link_new (GIOStream      *stream,
                 gboolean        server,
                 const guint8   *pending,
                 gsize           pending_len,
                 GSocketAddress *remote_address)
{
  return link_new (stream, server, TRUE, pending, pending_len, any_transport_format_address (remote_address));
}

AnyTransport *
any_ws_link_new_unmasked (GIOStream  *stream,
                          gboolean    server,
                          const char *remote_address)
{
  return link_new (stream, server, FALSE, NULL, 0, g_strdup (remote_address));
}
