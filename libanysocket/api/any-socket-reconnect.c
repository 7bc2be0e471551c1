/* any-socket-reconnect.c: a connect that dials again after a drop
 *
 * A connect with AnyConnectOptions:reconnect keeps one record here while
 * it lasts. When its link drops (not closed by any_peer_disconnect()),
 * the record waits, emits AnySocket::reconnecting first, and dials the
 * same URI with the same headers; a failed dial waits longer (initial x
 * factor^n, at most max, minus a random part of up to jitter of it). A
 * new link is a new AnyPeer: an AnyPeer is one link (its engine, its
 * requests waiting for replies, its E2E keys die with the link; the
 * JavaScript package makes a new Peer per connection too), announced
 * with AnySocket::connected as any other. Its id is the remote's own
 * choice, the same for a peer with a stable id (a libanysocket socket
 * with a loaded identity, anychat); a restarted JavaScript server picks a
 * new one, and is taken as it comes. A pinned key keeps applying to the
 * id, so a key that changed is refused, and that ends the reconnecting.
 *
 * The record ends on any_peer_disconnect() of its peer, any_socket_stop(),
 * the connect's cancellable, and a refusal (reconnect-failed).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-error.h"
#include "any-peer.h"
#include "any-socket.h"
#include "api/any-connect-options-private.h"
#include "api/any-peer-private.h"
#include "api/any-socket-private.h"
#include "protocol/any-trust.h"

typedef struct {
  gint               refs;
  AnySocket         *socket;      /* NULL once stopped; the socket's array holds us */
  char              *uri;
  GStrv              headers;
  AnyReconnectPolicy policy;
  GCancellable      *cancellable; /* the connect's, or NULL */
  gulong             cancelled_id;
  GTask             *task;        /* the connect's, until it completes */
  GMainContext      *context;

  AnyPeer           *peer;        /* the link up now, or NULL */
  gulong             disconnected_id;
  char              *peer_id;     /* the last link's id (NULL before one) */
  guint              attempt;     /* dials since the last link, 0 while up */
  GSource           *timer;
  char              *last_error;  /* why the last dial failed, or the drop */
} AnyReconnect;

enum {
  SIGNAL_RECONNECTING,
  SIGNAL_RECONNECT_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static AnyReconnect *
reconnect_ref (AnyReconnect *self)
{
  self->refs++;
  return self;
}

static void
reconnect_unref (AnyReconnect *self)
{
  if (--self->refs > 0)
    return;
  g_assert (self->peer == NULL && self->timer == NULL && self->task == NULL);
  g_free (self->uri);
  g_strfreev (self->headers);
  g_free (self->peer_id);
  g_free (self->last_error);
  g_main_context_unref (self->context);
  g_free (self);
}

static void dial (AnyReconnect *self);

static void
drop_peer (AnyReconnect *self)
{
  if (self->peer == NULL)
    return;
  g_clear_signal_handler (&self->disconnected_id, self->peer);
  g_clear_object (&self->peer);
}

/* For good: returns @error to the connect if it is still pending, else
 * tells the application (unless it stopped us itself). */
static void
finish (AnyReconnect *self,
        GError       *error,
        gboolean      announce)
{
  AnySocket *socket = self->socket;
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (socket == NULL)
    return;
  self->socket = NULL;
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  drop_peer (self);
  if (self->cancellable != NULL)
    g_cancellable_disconnect (self->cancellable, self->cancelled_id);
  self->cancelled_id = 0;
  g_clear_object (&self->cancellable);

  g_object_ref (socket);
  if (task != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (announce)
    g_signal_emit (socket, signals[SIGNAL_RECONNECT_FAILED], 0, self->uri, self->peer_id, error);
  g_ptr_array_remove (_any_socket_get_reconnects (socket), self);
  g_object_unref (socket);
  reconnect_unref (self);   /* the array's */
}

/* What no new dial would change. The JavaScript package refuses an AUTH
 * by closing the WebSocket without a reason: a link the other side closed
 * so before our AUTH completed counts as refused (a server killed at that
 * very moment looks the same, and is not dialled again either). */
static gboolean
is_refusal (const GError *error)
{
  static const char * const refusals[] = {
    "Invalid Auth Packet!", "Duplicated AnySocket ID", " was refused (fingerprint ",
  };

  if (g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_URI) ||
      g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DUPLICATE_ID) ||
      g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_STOPPED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      any_trust_is_refusal (error->message))
    return TRUE;
  if (g_error_matches (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_AUTH_FAILED) &&
      g_str_has_suffix (error->message, ": Remote Connection Closed"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    if (strstr (error->message, refusals[i]) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
on_timer (gpointer user_data)
{
  AnyReconnect *self = user_data;

  g_clear_pointer (&self->timer, g_source_unref);
  dial (self);
  return G_SOURCE_REMOVE;
}

/* initial x factor^(attempt - 1), at most max, minus up to jitter of it */
static guint
next_delay (AnyReconnect *self)
{
  double delay = self->policy.initial_ms;

  for (guint i = 1; i < self->attempt && delay < self->policy.max_ms; i++)
    delay *= self->policy.factor;
  delay = MIN (delay, (double) self->policy.max_ms);
  delay -= delay * self->policy.jitter * g_random_double ();
  return MAX (1, (guint) delay);
}

static void
schedule (AnyReconnect *self)
{
  AnySocket *socket = self->socket;
  guint delay;

  self->attempt++;
  delay = next_delay (self);
  g_object_ref (socket);
  g_signal_emit (socket, signals[SIGNAL_RECONNECTING], 0, self->uri, self->peer_id,
                 self->attempt, delay, self->last_error);
  g_object_unref (socket);
  /* a handler may have stopped us */
  if (self->socket == NULL || self->timer != NULL)
    return;
  self->timer = g_timeout_source_new (delay);
  g_source_set_callback (self->timer, on_timer, self, NULL);
  g_source_set_static_name (self->timer, "[anysocket] reconnect");
  g_source_attach (self->timer, self->context);
}

/* After the socket's own `disconnected`, which follows the peer's. */
static gboolean
on_dropped (gpointer user_data)
{
  AnyReconnect *self = reconnect_ref (user_data);

  g_clear_pointer (&self->timer, g_source_unref);
  schedule (self);   /* a handler of `reconnecting` may stop us */
  reconnect_unref (self);
  return G_SOURCE_REMOVE;
}

static void
on_peer_disconnected (AnyPeer    *peer,
                      const char *reason,
                      gpointer    user_data)
{
  AnyReconnect *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED, reason);
  gboolean here = _any_peer_was_closed_here (peer);

  reconnect_ref (self);
  drop_peer (self);
  if (here || is_refusal (error))
    finish (self, error, !here);
  else if (self->socket != NULL)
    {
      g_free (self->last_error);
      self->last_error = g_strdup (reason);
      self->timer = g_idle_source_new ();
      g_source_set_callback (self->timer, on_dropped, self, NULL);
      g_source_attach (self->timer, self->context);
    }
  reconnect_unref (self);
}

static void
on_dialled (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AnyReconnect *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPeer) peer = any_socket_connect_finish (ANY_SOCKET (source), result, &error);

  if (self->socket == NULL)
    {
      /* cancelled meanwhile (a stop fails the dial itself) */
      if (peer != NULL)
        any_peer_disconnect (peer, "Connect cancelled");
    }
  else if (peer != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->task);

      self->attempt = 0;
      g_free (self->peer_id);
      self->peer_id = g_strdup (any_peer_get_id (peer));
      self->peer = g_object_ref (peer);
      self->disconnected_id = g_signal_connect (peer, "disconnected", G_CALLBACK (on_peer_disconnected), self);
      if (task != NULL)
        g_task_return_pointer (task, g_steal_pointer (&peer), g_object_unref);
    }
  else if (is_refusal (error) || (self->task != NULL && !self->policy.first))
    finish (self, error, TRUE);
  else
    {
      g_free (self->last_error);
      self->last_error = g_strdup (error->message);
      schedule (self);
    }
  reconnect_unref (self);
}

static void
dial (AnyReconnect *self)
{
  _any_socket_connect_uri (self->socket, self->uri, (const char * const *) self->headers,
                           NULL, on_dialled, reconnect_ref (self));
}

static gboolean
on_cancelled_idle (gpointer user_data)
{
  AnyReconnect *self = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");

  if (self->peer != NULL)
    any_peer_disconnect (self->peer, "Connect cancelled");
  finish (self, error, FALSE);
  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  AnyReconnect *self = user_data;
  GSource *idle = g_idle_source_new ();

  /* not from inside g_cancellable_cancel(): finish() disconnects */
  g_source_set_callback (idle, on_cancelled_idle, reconnect_ref (self), (GDestroyNotify) reconnect_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

void
_any_socket_reconnect_start (AnySocket                *socket,
                             const char               *uri,
                             const char * const       *headers,
                             const AnyReconnectPolicy *policy,
                             GCancellable             *cancellable,
                             GAsyncReadyCallback       callback,
                             gpointer                  user_data)
{
  AnyReconnect *self = g_new0 (AnyReconnect, 1);

  self->refs = 1;   /* the socket's array */
  self->socket = socket;
  self->uri = g_strdup (uri);
  self->headers = g_strdupv ((GStrv) headers);
  self->policy = *policy;
  self->context = g_main_context_ref_thread_default ();
  self->task = g_task_new (socket, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, any_socket_connect_async);
  g_task_set_check_cancellable (self->task, FALSE);
  g_ptr_array_add (_any_socket_get_reconnects (socket), self);
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled), self, NULL);
    }
  if (self->socket != NULL)
    dial (self);
}

/* any_socket_stop(): no more dialling; a dial under way ends with the
 * stop, a link up now is disconnected by it. */
void
_any_reconnects_stop (GPtrArray *reconnects)
{
  g_autoptr(GError) error = g_error_new_literal (ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_STOPPED, "Socket stopped");

  while (reconnects->len > 0)
    finish (g_ptr_array_index (reconnects, reconnects->len - 1), error, FALSE);
}

void
_any_socket_reconnect_class_init (GObjectClass *klass)
{
  /**
   * AnySocket::reconnecting:
   * @self: the socket
   * @uri: the URI it dials again
   * @peer_id: (nullable): the id of its last link, NULL if none came up yet
   * @attempt: how many dials this one is since the last link (1, 2...)
   * @delay_ms: the wait before this dial, in milliseconds
   * @reason: why: the drop's reason or the last dial's error (English)
   *
   * A connect with [property@AnySocket.ConnectOptions:reconnect] lost its
   * link, or failed to dial again, and will dial after @delay_ms. The
   * new link emits [signal@AnySocket.Socket::connected] with a new
   * [class@AnySocket.Peer] (one object per link), with the same id
   * unless the remote chose another (a restarted JavaScript server
   * does). A handler may call [method@AnySocket.Socket.stop] or cancel
   * the connect's `GCancellable` to give up.
   *
   * Since: 0.2
   */
  signals[SIGNAL_RECONNECTING] =
    g_signal_new ("reconnecting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 5, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * AnySocket::reconnect-failed:
   * @self: the socket
   * @uri: the URI it dialled
   * @peer_id: (nullable): the id of its last link, NULL if none came up
   * @error: why it stopped
   *
   * A connect with [property@AnySocket.ConnectOptions:reconnect] gave up
   * for good after its connect completed: a refusal no new dial would
   * change (the AUTH refused by either side, a duplicate id, a pinned
   * key that changed or was not proven, a refused key; see
   * [property@AnySocket.ConnectOptions:reconnect]). Not emitted when the
   * application stopped it ([method@AnySocket.Peer.close],
   * [method@AnySocket.Socket.stop], the `GCancellable`).
   *
   * Since: 0.2
   */
  signals[SIGNAL_RECONNECT_FAILED] =
    g_signal_new ("reconnect-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_ERROR);
}
