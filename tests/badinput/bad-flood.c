/* bad-flood.c: peers that flood the server: a message that never ends,
 * requests faster than they can be answered, answers never taken, frames
 * relayed to a peer that does not read
 *
 * The flooders are bare TCP clients driven by threads of their own, so
 * that they press as hard as the kernel lets them and not at the pace of
 * the main loop they share with the server and the healthy client. Their
 * memory is in their threads' malloc arenas; the marks measure the main
 * one, where the server lives.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "bad-input.h"

/* How long a flood lasts at most, and the case with it. */
#define FLOOD_MS          5000
/* What the healthy client may wait for a reply during a flood (under
 * valgrind, what it may wait at all). */
#define MAX_REPLY_MS      2000
#define MAX_REPLY_MS_SLOW 30000
/* A send buffer small enough for the abuse to be cheap. */
#define SEND_BUFFER       (1024 * 1024)

#define OPCODE_CONTINUATION 0x0
#define OPCODE_TEXT         0x1
#define OPCODE_CLOSE        0x8

typedef struct _Flood Flood;

/* Appends the wire bytes of frame @i (one or more whole frames). */
typedef void (*FloodMaker) (Flood      *flood,
                            guint       i,
                            GByteArray *out);

struct _Flood {
  GSocketConnection *connection;
  int                fd;
  char               id[33];
  char               to[33];      /* FORWARD destination */
  FloodMaker         make;
  guint              max;
  guint              interval_ms; /* between frames; 0: as fast as it goes */
  gint64             until;
  gboolean           reads;       /* reads and drops what the server sends */
  gboolean           confirms;    /* answers the first INTERNAL request, then stops reading */
  gboolean           repeats;     /* makes one batch, sends it again and again: cheaper than
                                   * the server's work, whatever the frames */
  GThread           *writer;
  GThread           *reader;
  gint               stop;
  /* Results, atomic */
  gint               sent;
  gint               confirmed;
  gint               closed;      /* a close frame or the end came */
  gint               answers;     /* frames the server sent */
  /* Written before closed is set */
  guint              close_code;
  char               close_reason[128];
};

/* All of @data, unless the flood stops or its time is up. */
static gboolean
flood_write_all (Flood        *flood,
                 const guint8 *data,
                 gsize         len)
{
  while (len > 0)
    {
      struct pollfd pfd = { flood->fd, POLLOUT, 0 };
      ssize_t n;

      if (g_atomic_int_get (&flood->stop) || g_get_monotonic_time () >= flood->until)
        return FALSE;
      if (poll (&pfd, 1, 50) <= 0)
        continue;
      n = send (flood->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gpointer
flood_write (gpointer user_data)
{
  Flood *flood = user_data;
  g_autoptr(GByteArray) batch = g_byte_array_new ();
  guint i = 0;

  guint per_batch = 0;

  while (i < flood->max && !g_atomic_int_get (&flood->stop) && g_get_monotonic_time () < flood->until)
    {
      if (flood->repeats && per_batch > 0)
        {
          i += per_batch;
        }
      else
        {
          g_byte_array_set_size (batch, 0);
          for (per_batch = 0; batch->len < 16 * 1024 && i < flood->max &&
                              (flood->interval_ms == 0 || batch->len == 0); per_batch++)
            flood->make (flood, i++, batch);
        }
      if (!flood_write_all (flood, batch->data, batch->len))
        break;
      g_atomic_int_set (&flood->sent, i);
      if (flood->interval_ms > 0)
        g_usleep (flood->interval_ms * 1000);
    }
  return NULL;
}

static void
append_text_frame (GByteArray *out,
                   GBytes     *payload)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);

  bare_frame_append (out, TRUE, OPCODE_TEXT, data, len);
}

/* Until it confirms, the target answers the server's pings (to stay
 * alive however slow the run) and its request for the time (INTERNAL
 * SYNCED_TIME): the hub asks a new link's target before it relays, and
 * the answer confirms the link (any-hub.c). TRUE once confirmed. */
static gboolean
flood_confirm (Flood        *flood,
               const guint8 *payload,
               gsize         len)
{
  g_autoptr(GBytes) message = g_bytes_new (payload, len);
  RawFrame *frame = raw_frame_decode (SOUP_WEBSOCKET_DATA_TEXT, message);
  gboolean ping = frame->valid && frame->type == T_HEARTBEAT && frame->seq > 0;
  gboolean time = frame->valid && frame->type == T_INTERNAL && frame->seq > 0 &&
                  strstr (frame->body, "\"type\":5") != NULL;

  if (ping || time)
    {
      const char *answer = ping ? "2" : "{\"o\":0,\"t\":0}";
      g_autoptr(GBytes) chunk = chunk_new (LAST, frame->type, ping ? RAW_PONG_SEQ_BASE : -frame->seq,
                                           answer, strlen (answer));
      g_autoptr(GByteArray) out = g_byte_array_new ();

      append_text_frame (out, chunk);
      flood_write_all (flood, out->data, out->len);
    }
  g_free (frame->body);
  g_free (frame);
  return time;
}

/* Reads whole server frames (unmasked) off @in; returns FALSE once the
 * reading is over. */
static gboolean
flood_take_frames (Flood      *flood,
                   GByteArray *in)
{
  gsize pos = 0;
  gboolean more = TRUE;

  while (more && in->len - pos >= 2)
    {
      const guint8 *head = in->data + pos;
      guint64 len = head[1] & 0x7f;
      gsize at = 2;

      if (len == 126)
        at = 4;
      else if (len == 127)
        at = 10;
      if (in->len - pos < at)
        break;
      if (len == 126)
        len = (head[2] << 8) | head[3];
      else if (len == 127)
        len = ((guint64) GUINT32_FROM_BE (*(guint32 *) (head + 2)) << 32) |
              GUINT32_FROM_BE (*(guint32 *) (head + 6));
      if (in->len - pos - at < len)
        break;

      g_atomic_int_inc (&flood->answers);
      if ((head[0] & 0x0f) == OPCODE_CLOSE)
        {
          if (len >= 2)
            {
              flood->close_code = (head[at] << 8) | head[at + 1];
              memcpy (flood->close_reason, head + at + 2, MIN (len - 2, sizeof flood->close_reason - 1));
            }
          g_atomic_int_set (&flood->closed, 1);
          more = FALSE;
        }
      else if (flood->confirms && (head[0] & 0x0f) == OPCODE_TEXT && flood_confirm (flood, head + at, len))
        {
          g_atomic_int_set (&flood->confirmed, 1);
          more = FALSE;
        }
      pos += at + len;
    }
  g_byte_array_remove_range (in, 0, pos);
  return more;
}

static gpointer
flood_read (gpointer user_data)
{
  Flood *flood = user_data;
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (64 * 1024);

  while (!g_atomic_int_get (&flood->stop))
    {
      struct pollfd pfd = { flood->fd, POLLIN, 0 };
      ssize_t n;

      if (poll (&pfd, 1, 50) <= 0)
        continue;
      n = recv (flood->fd, buffer, 64 * 1024, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n <= 0)
        {
          g_atomic_int_set (&flood->closed, 1);
          break;
        }
      g_byte_array_append (in, buffer, n);
      if (!flood_take_frames (flood, in))
        break;
    }
  return NULL;
}

/* A bare client; authenticated unless @auth is FALSE. */
static Flood *
flood_connect (Fixture  *fx,
               gboolean  auth)
{
  Flood *flood = g_new0 (Flood, 1);
  g_autofree char *body = NULL;

  g_snprintf (flood->id, sizeof flood->id, "%08x%08x%08x%08x", g_random_int (), g_random_int (),
              g_random_int (), g_random_int ());
  flood->until = G_MAXINT64;   /* until it floods */
  flood->connection = bare_connect (fx);
  flood->fd = g_socket_get_fd (g_socket_connection_get_socket (flood->connection));
  if (auth)
    {
      body = g_strdup_printf ("{\"id\":\"%s\"}", flood->id);
      g_assert_true (bare_send_chunk (g_socket_connection_get_socket (flood->connection), T_AUTH, 1, body));
      WAIT_FOR (any_socket_get_peer (fx->server, flood->id) != NULL, WAIT_MS);
      g_assert_nonnull (any_socket_get_peer (fx->server, flood->id));
    }
  return flood;
}

static void
flood_start (Flood      *flood,
             FloodMaker  make,
             guint       max)
{
  flood->make = make;
  flood->max = max;
  flood->until = g_get_monotonic_time () + FLOOD_MS * 1000;
  if (flood->reads && flood->reader == NULL)
    flood->reader = g_thread_new ("flood-read", flood_read, flood);
  flood->writer = g_thread_new ("flood-write", flood_write, flood);
}

static void
flood_join (Flood *flood)
{
  g_atomic_int_set (&flood->stop, 1);
  g_clear_pointer (&flood->writer, g_thread_join);
  g_clear_pointer (&flood->reader, g_thread_join);
}

/* Hangs up, and waits for the server to let go of the peer. */
static void
flood_free (Fixture *fx,
            Flood   *flood)
{
  flood_join (flood);
  g_io_stream_close (G_IO_STREAM (flood->connection), NULL, NULL);
  g_object_unref (flood->connection);
  WAIT_FOR (any_socket_get_peer (fx->server, flood->id) == NULL, WAIT_MS);
  g_assert_null (any_socket_get_peer (fx->server, flood->id));
  g_free (flood);
}

/* The healthy client kept getting its replies in time meanwhile. */
static void
assert_healthy_served (Fixture *fx)
{
  gint64 slowest = healthy_client_slowest_reply_us (fx->healthy);

  g_test_message ("healthy client: %u replies during the flood, the slowest after %" G_GINT64_FORMAT " ms",
                  fx->healthy->replied - fx->replied_at_start, slowest / 1000);
  g_assert_cmpint (slowest, <, (running_slow () ? MAX_REPLY_MS_SLOW : MAX_REPLY_MS) * 1000);
  g_assert_null (fx->healthy->disconnect_reason);
}

/* A peer that does not read was dropped for it. Under valgrind the
 * server is too slow to fill the kernel's buffers in a case's time. */
static gboolean
dropped_for_not_reading (const char *reason)
{
  if (reason == NULL && running_slow ())
    {
      g_test_message ("not dropped in time under valgrind: not checked");
      return FALSE;
    }
  g_assert_nonnull (reason);
  g_assert_true (g_str_has_prefix (reason, "Missed Heartbeats") ||
                 g_str_has_prefix (reason, "Send buffer full: the peer is not reading"));
  return reason != NULL;
}

/* Cases: a message that never ends. libsoup bounds each frame, not the
 * message its fragments make: AUTH (or not), a text frame without FIN,
 * then continuations of 64 KiB, up to 64 MiB. Closed with 1009 once the
 * message is over the limit, before it is buffered. */

#define FRAGMENT (64 * 1024)

static void
make_fragment (Flood      *flood,
               guint       i,
               GByteArray *out)
{
  static guint8 payload[FRAGMENT];

  if (i == 0)
    memset (payload, 'x', sizeof payload);
  bare_frame_append (out, FALSE, i == 0 ? OPCODE_TEXT : OPCODE_CONTINUATION, payload, sizeof payload);
}

static void
test_endless_message (Fixture       *fx,
                      gconstpointer  data)
{
  gboolean after_auth = GPOINTER_TO_INT (data);
  Flood *flood;
  MemoryMark mark;
  const char *reason;

  memory_mark (&mark);
  flood = flood_connect (fx, after_auth);
  flood->reads = TRUE;
  flood_start (flood, make_fragment, 1024);
  WAIT_FOR (g_atomic_int_get (&flood->closed), FLOOD_MS);
  flood_join (flood);
  g_test_message ("closed after %d fragments of 64 KiB: code %u, '%s'", g_atomic_int_get (&flood->sent),
                  flood->close_code, flood->close_reason);
  g_assert_true (g_atomic_int_get (&flood->closed));
  g_assert_cmpuint (flood->close_code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  assert_prefix (flood->close_reason, "Message too big: WebSocket message over");
  if (after_auth)
    {
      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, flood->id), WAIT_MS);
      reason = g_hash_table_lookup (fx->disconnect_reasons, flood->id);
      assert_prefix (reason, "Message too big: WebSocket message over");
    }
  else
    {
      g_assert_false (g_hash_table_contains (fx->disconnect_reasons, flood->id));
    }
  assert_memory_growth (&mark, 4 * 1024 * 1024, "after an endless fragmented message");
  flood_free (fx, flood);
  assert_healthy_served (fx);
}

/* Cases: one peer must not starve the others. A peer sends requests as
 * fast as the kernel takes them and reads the answers; the healthy client
 * keeps getting every reply within MAX_REPLY_MS and is not dropped, and
 * the flooder is served too. */

static void
make_link (Flood      *flood,
           guint       i,
           GByteArray *out)
{
  char body[32];
  gsize len = g_snprintf (body, sizeof body, "{\"n\":%u}", i);
  g_autoptr(GBytes) chunk = chunk_new (LAST, T_LINK, (gint32) i + 2, body, len);

  append_text_frame (out, chunk);
}

static void
make_ping (Flood      *flood,
           guint       i,
           GByteArray *out)
{
  g_autoptr(GBytes) chunk = chunk_new (LAST, T_HEARTBEAT, (gint32) i + 2, "1", 1);

  append_text_frame (out, chunk);
}

static void
test_request_flood (Fixture       *fx,
                    gconstpointer  data)
{
  FloodMaker make = (FloodMaker) data;
  Flood *flood;
  gint answers;

  fx->count_raw_only = TRUE;
  flood = flood_connect (fx, TRUE);
  flood->reads = TRUE;
  flood->repeats = TRUE;
  flood_start (flood, make, G_MAXINT);
  WAIT_FOR (g_atomic_int_get (&flood->closed), 3000);
  flood_join (flood);
  answers = g_atomic_int_get (&flood->answers);
  g_test_message ("flooder: %d requests sent, %d frames answered, in 3 s", g_atomic_int_get (&flood->sent),
                  answers);
  g_assert_false (g_atomic_int_get (&flood->closed));
  g_assert_cmpint (answers, >, 1000);
  g_assert_false (g_hash_table_contains (fx->disconnect_reasons, flood->id));
  assert_healthy_served (fx);
  flood_free (fx, flood);
}

/* Pings from a peer that never reads the pongs: they cost memory in
 * libsoup's queue well beyond their bytes. The server stops reading that
 * peer (which then misses its heartbeats) or drops it for its send
 * buffer: either way with a reason, memory within a few send buffers. */
static void
test_ping_flood_not_reading (Fixture       *fx,
                             gconstpointer  data)
{
  Flood *flood;
  MemoryMark mark;
  const char *reason;

  any_socket_set_max_send_buffer (fx->server, SEND_BUFFER);
  flood = flood_connect (fx, TRUE);
  memory_mark (&mark);
  flood_start (flood, make_ping, G_MAXINT);
  WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, flood->id), FLOOD_MS);
  flood_join (flood);
  reason = g_hash_table_lookup (fx->disconnect_reasons, flood->id);
  g_test_message ("%d pings sent: %s", g_atomic_int_get (&flood->sent), reason ? reason : "(not dropped)");
  if (dropped_for_not_reading (reason))
    assert_memory_growth (&mark, 3 * SEND_BUFFER, "after a ping flood from a peer that does not read");
  flood_free (fx, flood);
  assert_healthy_served (fx);
}

/* A FORWARD flood through the hub to a linked peer that does not read:
 * what waits for it is bounded by max-send-buffer, frames' overhead
 * included; before the target confirmed the link, the hub holds what
 * comes for it, under the same bound. */

static void
make_forward (Flood      *flood,
              guint       i,
              GByteArray *out)
{
  g_autoptr(GBytes) frame = forward_frame (flood->to, flood->id);

  append_text_frame (out, frame);
}

static void
make_slow_ping (Flood      *flood,
                guint       i,
                GByteArray *out)
{
  make_ping (flood, i + 1000000, out);
}

static void
test_forward_flood (Fixture       *fx,
                    gconstpointer  data)
{
  gboolean confirms = GPOINTER_TO_INT (data);
  g_autofree char *proxy = NULL;
  Flood *target, *flooder;
  MemoryMark mark;
  const char *reason;

  any_socket_set_max_send_buffer (fx->server, SEND_BUFFER);
  g_signal_connect (fx->server, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  target = flood_connect (fx, TRUE);
  target->reads = confirms;
  target->confirms = confirms;
  if (confirms)
    target->reader = g_thread_new ("flood-read", flood_read, target);
  flooder = flood_connect (fx, TRUE);
  memcpy (flooder->to, target->id, sizeof flooder->to);
  flooder->reads = TRUE;

  proxy = g_strdup_printf ("{\"type\":2,\"action\":\"proxy\",\"id\":\"%s\"}", target->id);
  g_assert_true (bare_send_chunk (g_socket_connection_get_socket (flooder->connection), T_INTERNAL, 2, proxy));
  if (confirms)
    {
      WAIT_FOR (g_atomic_int_get (&target->confirmed), WAIT_MS);
      g_assert_true (g_atomic_int_get (&target->confirmed));
      /* From now on the target reads nothing, but looks alive. */
      g_clear_pointer (&target->reader, g_thread_join);
      target->reads = FALSE;
      iterate_for (QUIET_MS);
    }
  target->interval_ms = 100;
  flood_start (target, make_slow_ping, G_MAXINT);

  memory_mark (&mark);
  flood_start (flooder, make_forward, G_MAXINT);
  if (confirms)
    {
      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, target->id), FLOOD_MS);
      reason = g_hash_table_lookup (fx->disconnect_reasons, target->id);
    }
  else
    {
      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, flooder->id), FLOOD_MS);
      reason = g_hash_table_lookup (fx->disconnect_reasons, flooder->id);
    }
  flood_join (flooder);
  g_test_message ("%d FORWARD frames sent: %s %s", g_atomic_int_get (&flooder->sent),
                  confirms ? "target" : "flooder", reason ? reason : "(not dropped)");
  if (!confirms)
    assert_prefix (reason, "Invalid FORWARD: too much data for");
  if (!confirms || dropped_for_not_reading (reason))
    assert_memory_growth (&mark, 5 * SEND_BUFFER / 2, "after a FORWARD flood to a peer that does not read");
  flood_free (fx, target);
  flood_free (fx, flooder);
  assert_healthy_served (fx);
}

/* Not a flood: a library client that sends a burst (its application
 * queues many requests before returning to the main loop) while the
 * server's echoes pile up. Backpressure must not make both sides stop
 * reading and wait for each other. */

#define BURST          20000
#define BURST_PAD      1000    /* echoed: 20 MB each way, more than loopback buffers */
#define BURST_SLOW     1000    /* under valgrind: memory errors are the point */

typedef struct {
  AnyPeer *peer;
  guint    replied;
  guint    failed;
} Burst;

static void
on_burst_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);

  if (reply != NULL)
    burst->replied++;
  else
    burst->failed++;
}

static void
test_client_burst (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(AnySocket) client = any_socket_new ();
  g_autofree char *pad = g_strnfill (BURST_PAD, 'b');
  guint n = running_slow () ? BURST_SLOW : BURST;
  Burst burst = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 started;

  fx->count_raw_only = TRUE;
  any_socket_set_heartbeat_interval (client, HEARTBEAT_MS);
  burst.peer = connect_local (client, fx->port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (burst.peer);

  started = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) msg = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (msg, pad);
      any_peer_request_async (burst.peer, msg, WAIT_MS * 2, NULL, on_burst_reply, &burst);
    }
  WAIT_FOR (burst.replied + burst.failed == n, WAIT_MS * 2);
  g_test_message ("%u requests of 1 KB in one go: %u replies in %" G_GINT64_FORMAT " ms", n,
                  burst.replied, (g_get_monotonic_time () - started) / 1000);
  g_assert_cmpuint (burst.replied, ==, n);
  g_assert_true (any_peer_is_connected (burst.peer));
  any_socket_stop (client);
  WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, any_socket_get_id (client)), WAIT_MS);
  g_clear_object (&burst.peer);
}

void
badinput_add_flood_cases (void)
{
  ADD ("flood/endless-message/before-auth", GINT_TO_POINTER (FALSE), test_endless_message);

  ADD ("flood/endless-message/after-auth", GINT_TO_POINTER (TRUE), test_endless_message);

  ADD ("flood/requests/link", make_link, test_request_flood);

  ADD ("flood/requests/heartbeat", make_ping, test_request_flood);

  ADD ("flood/pings-not-reading", NULL, test_ping_flood_not_reading);

  ADD ("flood/client-burst", NULL, test_client_burst);

  ADD ("flood/forward/unconfirmed", GINT_TO_POINTER (FALSE), test_forward_flood);

  ADD ("flood/forward/not-reading", GINT_TO_POINTER (TRUE), test_forward_flood);
}
