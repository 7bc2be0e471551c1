/* any-coalescing-stream.c: a GIOStream that sends a read batch's writes
 * in one go
 *
 * libsoup writes each WebSocket frame with its own send(2) as soon as it is
 * queued, and reads the socket 1 KiB at a time. A server answering a burst
 * of requests (64 in flight arrive in one segment) thus makes a system call
 * per reply and one per KiB, and on loopback one send(2) costs more than
 * everything the protocol does with a message. This stream sits between
 * libsoup and the TCP connection of a WebSocket, accepted (any-ws-server.c)
 * or opened (any-ws-connect.c):
 *
 * - reads go through a read-ahead buffer, so one recv(2) brings a burst;
 * - while what a recv(2) brought is being handled (from the moment the
 *   read-ahead is refilled until the reader comes back for more than it
 *   holds), writes are kept, up to COALESCE_MAX bytes, except the first:
 *   it goes out at once, so that a lone request's reply (one in flight)
 *   is not delayed by what the server does after sending it;
 * - they go out in one send(2) when the reader comes back: to read the
 *   socket again, to wait for it (it makes a source), or to close it;
 *   before that only if COALESCE_MAX would be passed. libsoup's WebSocket
 *   does one of the three after each batch (soup_websocket_connection_read
 *   reads until it would block, then waits, unless it is closing), so a
 *   kept write never waits for the peer.
 *
 * Writes made outside a read batch (timers, other connections) go straight
 * through. Nothing is reordered; a reply waits at most until its batch of
 * at most READ_AHEAD input bytes has been handled. Before
 * any_coalescing_stream_start() (the HTTP upgrade) everything passes
 * through untouched.
 *
 * It also applies the connection's flow control (any-ws-flow.c): whole
 * messages bounded, a bounded turn per connection, and no reading from a
 * peer whose answers pile up unsent.
 *
 * Single-threaded, like libsoup's WebSocket: everything runs in the main
 * context the stream was started in. GIO's default asynchronous close runs
 * close() in a thread, so close_async is overridden to close in place, as
 * GSocketConnection does.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-coalescing-stream.h"

#include <errno.h>
#include <string.h>

#include "any-source.h"
#include "transport/any-io-stream.h"
#include "transport/any-ws-flow.h"

/* One recv(2): a burst of small frames, or 16 of libsoup's reads of a big
 * one. Allocated per batch and freed when handled, so idle connections do
 * not keep it. */
#define READ_AHEAD (16 * 1024)
/* Writes kept back at most, and the first size of their buffer. */
#define COALESCE_MAX (64 * 1024)
#define COALESCE_FIRST (4 * 1024)

static gssize
would_block (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, g_strerror (EAGAIN));
  return -1;
}

/* --- output ------------------------------------------------------------ */

#define ANY_TYPE_COALESCING_OUTPUT (any_coalescing_output_get_type ())
G_DECLARE_FINAL_TYPE (AnyCoalescingOutput, any_coalescing_output, ANY, COALESCING_OUTPUT, GOutputStream)

struct _AnyCoalescingOutput
{
  GOutputStream          parent_instance;
  GPollableOutputStream *base;
  gboolean               holding;      /* a read batch is being handled */
  gboolean               wrote;        /* ... and has written already */
  guint8                *buffer;       /* writes kept back; NULL when none */
  gsize                  len;
  gsize                  size;
  GMainContext          *context;
  GSource               *drain;        /* the socket was full: when it is not */
  GError                *error;        /* of a send(2) no write has reported */
  AnyWsFlow             *flow;         /* of the AnyCoalescingStream */
};

static void any_coalescing_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AnyCoalescingOutput, any_coalescing_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      any_coalescing_output_pollable_init))

static void output_send_kept (AnyCoalescingOutput *self);

static gboolean
on_drain (GObject  *base,
          gpointer  user_data)
{
  AnyCoalescingOutput *self = user_data;

  output_send_kept (self);
  return self->drain != NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
output_drop_kept (AnyCoalescingOutput *self)
{
  g_clear_pointer (&self->buffer, g_free);
  self->len = 0;
  self->size = 0;
  any_clear_source (&self->drain);
}

/* Sends the kept writes as far as the socket takes them without blocking;
 * the rest waits for the drain watch. An error is kept for the next write
 * to report (the kept bytes are lost with the connection). */
static void
output_send_kept (AnyCoalescingOutput *self)
{
  gsize sent = 0;

  while (sent < self->len)
    {
      GError *error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (self->base, self->buffer + sent,
                                                             self->len - sent, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          break;
        }
      if (n < 0)
        {
          if (self->error == NULL)
            self->error = error;
          else
            g_error_free (error);
          output_drop_kept (self);
          return;
        }
      sent += n;
    }

  if (sent == self->len)
    {
      output_drop_kept (self);
      return;
    }
  memmove (self->buffer, self->buffer + sent, self->len - sent);
  self->len -= sent;
  if (self->drain == NULL)
    {
      self->drain = g_pollable_output_stream_create_source (self->base, NULL);
      g_source_set_callback (self->drain, G_SOURCE_FUNC (on_drain), self, NULL);
      g_source_set_static_name (self->drain, "[anysocket] coalesced writes, socket full");
      g_source_attach (self->drain, self->context);
    }
}

static void
output_keep (AnyCoalescingOutput *self,
             const void          *data,
             gsize                count)
{
  if (self->len + count > self->size)
    {
      gsize size = MAX (self->size, COALESCE_FIRST);

      while (size < self->len + count)
        size *= 2;
      self->buffer = g_realloc (self->buffer, size);
      self->size = size;
    }
  memcpy (self->buffer + self->len, data, count);
  self->len += count;
}

static void
output_hold (AnyCoalescingOutput *self)
{
  self->holding = TRUE;
  self->wrote = FALSE;
}

/* The read batch has been handled: what it wrote goes out. */
static void
output_release (AnyCoalescingOutput *self)
{
  self->holding = FALSE;
  if (self->len > 0)
    output_send_kept (self);
}

static gboolean
report_error (AnyCoalescingOutput  *self,
              GError              **error)
{
  if (self->error == NULL)
    return FALSE;
  g_propagate_error (error, g_error_copy (self->error));
  return TRUE;
}

static gssize
output_write_nonblocking (AnyCoalescingOutput  *self,
                          const void           *data,
                          gsize                 count,
                          GError              **error)
{
  if (report_error (self, error))
    return -1;
  if (self->holding && !self->wrote && self->len == 0)
    {
      self->wrote = TRUE;
      return g_pollable_output_stream_write_nonblocking (self->base, data, count, NULL, error);
    }
  /* Kept writes go first when this one does not join them: outside a
   * batch, or past COALESCE_MAX. */
  if (self->len > 0 && !(self->holding && self->len + count <= COALESCE_MAX))
    {
      output_send_kept (self);
      if (report_error (self, error))
        return -1;
      if (self->len > 0)
        {
          /* Still before this write, and the socket is full. */
          return would_block (error);
        }
    }
  if (self->holding && count <= COALESCE_MAX - self->len)
    {
      output_keep (self, data, count);
      return count;
    }
  return g_pollable_output_stream_write_nonblocking (self->base, data, count, NULL, error);
}

static gssize
any_coalescing_output_write_nonblocking (GPollableOutputStream  *stream,
                                         const void             *data,
                                         gsize                   count,
                                         GError                **error)
{
  AnyCoalescingOutput *self = ANY_COALESCING_OUTPUT (stream);
  gssize n = output_write_nonblocking (self, data, count, error);

  any_ws_flow_wrote (self->flow, count, n);
  return n;
}

static gboolean
any_coalescing_output_can_poll (GPollableOutputStream *stream)
{
  return g_pollable_output_stream_can_poll (ANY_COALESCING_OUTPUT (stream)->base);
}

static gboolean
any_coalescing_output_is_writable (GPollableOutputStream *stream)
{
  AnyCoalescingOutput *self = ANY_COALESCING_OUTPUT (stream);

  /* Once a write would have blocked (the drain watch is on), not before
   * the socket has taken what is kept: a writer told otherwise would be
   * told "would block" again, and spin. */
  if (self->drain != NULL)
    return FALSE;
  return self->holding || g_pollable_output_stream_is_writable (self->base);
}

static GSource *
any_coalescing_output_create_source (GPollableOutputStream *stream,
                                     GCancellable          *cancellable)
{
  AnyCoalescingOutput *self = ANY_COALESCING_OUTPUT (stream);
  g_autoptr(GSource) base_source = NULL;

  if (any_coalescing_output_is_writable (stream))
    base_source = g_timeout_source_new (0);
  else
    base_source = g_pollable_output_stream_create_source (self->base, NULL);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static void
any_coalescing_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = any_coalescing_output_can_poll;
  iface->is_writable = any_coalescing_output_is_writable;
  iface->create_source = any_coalescing_output_create_source;
  iface->write_nonblocking = any_coalescing_output_write_nonblocking;
}

/* The blocking API is not what libsoup's WebSocket uses; it only has to
 * keep the order. */
static gssize
any_coalescing_output_write (GOutputStream  *stream,
                             const void     *data,
                             gsize           count,
                             GCancellable   *cancellable,
                             GError        **error)
{
  AnyCoalescingOutput *self = ANY_COALESCING_OUTPUT (stream);

  if (report_error (self, error))
    return -1;
  if (self->len > 0)
    {
      any_clear_source (&self->drain);
      if (!g_output_stream_write_all (G_OUTPUT_STREAM (self->base), self->buffer, self->len,
                                      NULL, cancellable, error))
        return -1;
      output_drop_kept (self);
    }
  return g_output_stream_write (G_OUTPUT_STREAM (self->base), data, count, cancellable, error);
}

/* Also called by close(): never waits for a peer that does not read. */
static gboolean
any_coalescing_output_flush (GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  AnyCoalescingOutput *self = ANY_COALESCING_OUTPUT (stream);

  if (self->len > 0)
    output_send_kept (self);
  return TRUE;
}

static gboolean
any_coalescing_output_close (GOutputStream  *stream,
                             GCancellable   *cancellable,
                             GError        **error)
{
  return TRUE;   /* the base closes with its GIOStream */
}

static void
any_coalescing_output_finalize (GObject *object)
{
  AnyCoalescingOutput *self = ANY_COALESCING_OUTPUT (object);

  output_drop_kept (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (any_coalescing_output_parent_class)->finalize (object);
}

static void
any_coalescing_output_class_init (AnyCoalescingOutputClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = any_coalescing_output_finalize;
  stream_class->write_fn = any_coalescing_output_write;
  stream_class->flush = any_coalescing_output_flush;
  stream_class->close_fn = any_coalescing_output_close;
}

static void
any_coalescing_output_init (AnyCoalescingOutput *self)
{
}

/* --- input ------------------------------------------------------------- */

#define ANY_TYPE_COALESCING_INPUT (any_coalescing_input_get_type ())
G_DECLARE_FINAL_TYPE (AnyCoalescingInput, any_coalescing_input, ANY, COALESCING_INPUT, GInputStream)

struct _AnyCoalescingInput
{
  GInputStream          parent_instance;
  GPollableInputStream *base;
  AnyCoalescingOutput  *output;    /* of the same AnyCoalescingStream */
  gboolean              started;
  guint8               *buffer;    /* read ahead, not read yet; NULL when none */
  gsize                 start;
  gsize                 end;
  AnyWsFlow            *flow;      /* of the AnyCoalescingStream */
};

static void any_coalescing_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AnyCoalescingInput, any_coalescing_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      any_coalescing_input_pollable_init))

static gsize
input_take_buffered (AnyCoalescingInput *self,
                     void               *buffer,
                     gsize               count)
{
  gsize n = MIN (count, self->end - self->start);

  memcpy (buffer, self->buffer + self->start, n);
  self->start += n;
  if (self->start == self->end)
    g_clear_pointer (&self->buffer, g_free);
  return n;
}

static gssize
base_read (AnyCoalescingInput  *self,
           void                *buffer,
           gsize                count,
           gboolean             blocking,
           GCancellable        *cancellable,
           GError             **error)
{
  if (blocking)
    return g_input_stream_read (G_INPUT_STREAM (self->base), buffer, count, cancellable, error);
  return g_pollable_input_stream_read_nonblocking (self->base, buffer, count, cancellable, error);
}

/* The connection failed (any-ws-flow.c): what the peer still sends is
 * dropped, only its end (or an error) goes up. */
static gssize
input_discard (AnyCoalescingInput  *self,
               gboolean             blocking,
               GCancellable        *cancellable,
               GError             **error)
{
  guint8 scratch[4096];
  gssize n = base_read (self, scratch, sizeof scratch, blocking, cancellable, error);

  return n > 0 ? would_block (error) : n;
}

/* Read ahead first; then the socket (@blocking or not), once the batch
 * before has been handled: what it brings starts a new batch. */
static gssize
input_read (AnyCoalescingInput  *self,
            void                *buffer,
            gsize                count,
            gboolean             blocking,
            GCancellable        *cancellable,
            GError             **error)
{
  void *into = buffer;
  gsize want = count;
  gssize n;

  if (!self->started)
    return base_read (self, buffer, count, blocking, cancellable, error);
  if (self->buffer != NULL)
    return input_take_buffered (self, buffer, count);

  output_release (self->output);
  if (any_ws_flow_is_failed (self->flow))
    return input_discard (self, blocking, cancellable, error);
  if (!blocking && !any_ws_flow_may_read (self->flow))
    return would_block (error);
  if (count < READ_AHEAD)
    {
      self->buffer = g_malloc (READ_AHEAD);
      into = self->buffer;
      want = READ_AHEAD;
    }
  n = base_read (self, into, want, blocking, cancellable, error);
  if (n <= 0)
    {
      g_clear_pointer (&self->buffer, g_free);
      return n;
    }
  if (!any_ws_flow_received (self->flow, into, n))
    {
      g_clear_pointer (&self->buffer, g_free);
      return would_block (error);
    }
  output_hold (self->output);
  if (into == buffer)
    return n;
  self->start = 0;
  self->end = n;
  return input_take_buffered (self, buffer, count);
}

static gssize
any_coalescing_input_read_nonblocking (GPollableInputStream  *stream,
                                       void                  *buffer,
                                       gsize                  count,
                                       GError               **error)
{
  return input_read (ANY_COALESCING_INPUT (stream), buffer, count, FALSE, NULL, error);
}

static gssize
any_coalescing_input_read (GInputStream  *stream,
                           void          *buffer,
                           gsize          count,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return input_read (ANY_COALESCING_INPUT (stream), buffer, count, TRUE, cancellable, error);
}

static gboolean
any_coalescing_input_can_poll (GPollableInputStream *stream)
{
  return g_pollable_input_stream_can_poll (ANY_COALESCING_INPUT (stream)->base);
}

static gboolean
any_coalescing_input_is_readable (GPollableInputStream *stream)
{
  AnyCoalescingInput *self = ANY_COALESCING_INPUT (stream);

  return self->buffer != NULL ||
         ((!self->started || any_ws_flow_is_failed (self->flow) || any_ws_flow_may_read (self->flow)) &&
          g_pollable_input_stream_is_readable (self->base));
}

static GSource *
any_coalescing_input_create_source (GPollableInputStream *stream,
                                    GCancellable         *cancellable)
{
  AnyCoalescingInput *self = ANY_COALESCING_INPUT (stream);
  g_autoptr(GSource) base_source = NULL;

  /* The reader waits: the batch, and its turn, are over. */
  if (self->started)
    {
      output_release (self->output);
      any_ws_flow_turn_over (self->flow);
    }
  if (self->buffer != NULL)
    base_source = g_timeout_source_new (0);
  else if ((base_source = any_ws_flow_wait_source (self->flow)) == NULL)
    base_source = g_pollable_input_stream_create_source (self->base, NULL);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static void
any_coalescing_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = any_coalescing_input_can_poll;
  iface->is_readable = any_coalescing_input_is_readable;
  iface->create_source = any_coalescing_input_create_source;
  iface->read_nonblocking = any_coalescing_input_read_nonblocking;
}

static gboolean
any_coalescing_input_close (GInputStream  *stream,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return TRUE;   /* the base closes with its GIOStream */
}

static void
any_coalescing_input_finalize (GObject *object)
{
  AnyCoalescingInput *self = ANY_COALESCING_INPUT (object);

  g_clear_pointer (&self->buffer, g_free);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (any_coalescing_input_parent_class)->finalize (object);
}

static void
any_coalescing_input_class_init (AnyCoalescingInputClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = any_coalescing_input_finalize;
  stream_class->read_fn = any_coalescing_input_read;
  stream_class->close_fn = any_coalescing_input_close;
}

static void
any_coalescing_input_init (AnyCoalescingInput *self)
{
}

/* --- the stream ---------------------------------------------------------- */

struct _AnyCoalescingStream
{
  GIOStream            parent_instance;
  GIOStream           *base;
  AnyCoalescingInput  *input;
  AnyCoalescingOutput *output;
  AnyWsFlow           *flow;
};

G_DEFINE_FINAL_TYPE (AnyCoalescingStream, any_coalescing_stream, G_TYPE_IO_STREAM)

enum {
  PROP_0,
  PROP_BASE_IOSTREAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GInputStream *
any_coalescing_stream_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (ANY_COALESCING_STREAM (stream)->input);
}

static GOutputStream *
any_coalescing_stream_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (ANY_COALESCING_STREAM (stream)->output);
}

static gboolean
any_coalescing_stream_close (GIOStream     *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  AnyCoalescingStream *self = ANY_COALESCING_STREAM (stream);

  /* Closes (and so flushes) ours, without waiting for the peer. */
  G_IO_STREAM_CLASS (any_coalescing_stream_parent_class)->close_fn (stream, cancellable, NULL);
  return g_io_stream_close (self->base, cancellable, error);
}

static void
any_coalescing_stream_close_async (GIOStream           *stream,
                                   int                  io_priority,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (stream, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, any_coalescing_stream_close_async);
  if (any_coalescing_stream_close (stream, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static gboolean
any_coalescing_stream_close_finish (GIOStream     *stream,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
any_coalescing_stream_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  AnyCoalescingStream *self = ANY_COALESCING_STREAM (object);

  switch (prop_id)
    {
    case PROP_BASE_IOSTREAM:
      g_value_set_object (value, self->base);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
any_coalescing_stream_dispose (GObject *object)
{
  AnyCoalescingStream *self = ANY_COALESCING_STREAM (object);

  /* GIOStream's dispose closes the stream: the parts must still be here. */
  G_OBJECT_CLASS (any_coalescing_stream_parent_class)->dispose (object);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->base);
}

static void
any_coalescing_stream_finalize (GObject *object)
{
  AnyCoalescingStream *self = ANY_COALESCING_STREAM (object);

  g_clear_pointer (&self->flow, any_ws_flow_free);

  G_OBJECT_CLASS (any_coalescing_stream_parent_class)->finalize (object);
}

static void
any_coalescing_stream_class_init (AnyCoalescingStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->get_property = any_coalescing_stream_get_property;
  object_class->dispose = any_coalescing_stream_dispose;
  object_class->finalize = any_coalescing_stream_finalize;
  stream_class->get_input_stream = any_coalescing_stream_get_input_stream;
  stream_class->get_output_stream = any_coalescing_stream_get_output_stream;
  stream_class->close_fn = any_coalescing_stream_close;
  stream_class->close_async = any_coalescing_stream_close_async;
  stream_class->close_finish = any_coalescing_stream_close_finish;

  /* The name libsoup's SoupIOStream uses, so code that looks for the
   * socket under a stream finds it the same way. */
  properties[PROP_BASE_IOSTREAM] =
    g_param_spec_object ("base-iostream", NULL, NULL, G_TYPE_IO_STREAM,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
any_coalescing_stream_init (AnyCoalescingStream *self)
{
}

GIOStream *
any_coalescing_stream_new (GIOStream *base)
{
  AnyCoalescingStream *self;

  g_return_val_if_fail (G_IS_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)), NULL);

  self = g_object_new (ANY_TYPE_COALESCING_STREAM, NULL);
  self->base = g_object_ref (base);
  self->flow = any_ws_flow_new ();
  self->output = g_object_new (ANY_TYPE_COALESCING_OUTPUT, NULL);
  self->output->base = g_object_ref (G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)));
  self->input = g_object_new (ANY_TYPE_COALESCING_INPUT, NULL);
  self->input->base = g_object_ref (G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (base)));
  self->input->output = self->output;
  self->input->flow = self->output->flow = self->flow;
  return G_IO_STREAM (self);
}

void
any_coalescing_stream_start (AnyCoalescingStream *self)
{
  if (self->input->started)
    return;
  self->output->context = g_main_context_ref_thread_default ();
  self->input->started = TRUE;
  any_ws_flow_start (self->flow);
  /* Frames that came with the HTTP answer (any_coalescing_stream_unread())
   * are the first the flow control sees. */
  if (self->input->buffer != NULL &&
      !any_ws_flow_received (self->flow, self->input->buffer + self->input->start,
                             self->input->end - self->input->start))
    g_clear_pointer (&self->input->buffer, g_free);
}

AnyWsFlow *
any_coalescing_stream_get_flow (AnyCoalescingStream *self)
{
  return self->flow;
}

void
any_coalescing_stream_unread (AnyCoalescingStream *self,
                              const guint8        *data,
                              gsize                len)
{
  AnyCoalescingInput *input = self->input;

  g_return_if_fail (!input->started && input->buffer == NULL);
  if (len == 0)
    return;
  input->buffer = g_memdup2 (data, len);
  input->start = 0;
  input->end = len;
}

AnyCoalescingStream *
any_coalescing_stream_find (GIOStream *stream)
{
  for (guint depth = 0; stream != NULL && depth < 4; depth++)
    {
      g_autoptr(GIOStream) base = NULL;

      if (ANY_IS_COALESCING_STREAM (stream))
        return ANY_COALESCING_STREAM (stream);
      base = any_io_stream_dup_base (stream);
      stream = base;   /* still held by the stream above */
    }
  return NULL;
}
