/* any-requests.c: the requests of one link waiting for their replies
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "any-error.h"
#include "any-timers.h"
#include "protocol/any-requests.h"

/* Reference counted (g_rc_box) so that the timer can finish its round
 * when a failed request's callback drops the owner. */
struct _AnyRequests
{
  GMainContext *context;
  GHashTable   *pending;         /* seq -> PendingRequest */
  /* Pending requests by deadline, earliest first, and one timer for all
   * of them, armed only while one waits, on the context's shared
   * AnyTimers: a GSource per request cost more than the request itself,
   * and one per link, kept while idle, cost the main loop a source per
   * peer. */
  GQueue        deadlines;
  AnyTimers    *timers;
  AnyTimer      deadline_timer;
};

typedef struct {
  AnyRequests *requests;         /* weak: the table owns us */
  GTask    *task;
  gint32    seq;
  guint     timeout_ms;
  gint64    deadline;            /* monotonic µs */
  GList     deadline_link;       /* in requests->deadlines */
  GSource  *cancelled;
} PendingRequest;

static void
pending_request_free (gpointer data)
{
  PendingRequest *request = data;

  g_queue_unlink (&request->requests->deadlines, &request->deadline_link);
  if (request->cancelled != NULL)
    {
      g_source_destroy (request->cancelled);
      g_source_unref (request->cancelled);
    }
  g_clear_object (&request->task);
  g_free (request);
}

static void on_deadline (AnyTimer *timer,
                         gpointer  user_data);

AnyRequests *
any_requests_new (void)
{
  AnyRequests *self = g_rc_box_new0 (AnyRequests);

  self->context = g_main_context_ref_thread_default ();
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, pending_request_free);
  self->timers = any_timers_get_for_context (self->context);
  any_timer_init (&self->deadline_timer, self->timers, on_deadline, self);
  return self;
}

void
any_requests_clear (AnyRequests *self)
{
  if (self->pending != NULL)
    g_hash_table_remove_all (self->pending);
  any_timer_cancel (&self->deadline_timer);
}

static void
requests_finalize (AnyRequests *self)
{
  any_requests_clear (self);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->timers, any_timers_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
}

void
any_requests_free (AnyRequests *self)
{
  if (self != NULL)
    g_rc_box_release_full (self, (GDestroyNotify) requests_finalize);
}

GTask *
any_requests_take (AnyRequests *self,
                   gint32       seq)
{
  PendingRequest *request;
  GTask *task;

  request = g_hash_table_lookup (self->pending, GINT_TO_POINTER (seq));
  if (request == NULL)
    return NULL;
  task = g_steal_pointer (&request->task);
  g_hash_table_remove (self->pending, GINT_TO_POINTER (seq));
  return task;
}

/* Fails every request whose deadline passed, then sleeps until the next
 * one. Replies that arrive first just leave the queue; the timer then
 * wakes up early once and goes back to sleep. */
static void
on_deadline (AnyTimer *timer,
             gpointer  user_data)
{
  AnyRequests *self = g_rc_box_acquire (user_data);
  gint64 now = any_timers_now (self->timers);
  PendingRequest *request;

  while ((request = g_queue_peek_head (&self->deadlines)) != NULL && request->deadline <= now)
    {
      gint32 seq = request->seq;
      guint timeout_ms = request->timeout_ms;
      g_autoptr(GTask) task = any_requests_take (self, seq);

      g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_TIMEOUT,
                               _("No reply to request %d within %u ms"), seq, timeout_ms);
    }
  /* A failed request's callback may have cleared us, or added another. */
  request = g_queue_peek_head (&self->deadlines);
  if (request != NULL && !any_timer_is_armed (&self->deadline_timer))
    any_timer_arm_at (&self->deadline_timer, request->deadline);
  any_requests_free (self);
}

static void
schedule_deadline (AnyRequests    *self,
                   PendingRequest *request)
{
  GList *after = self->deadlines.tail;
  gint64 armed;

  /* Requests mostly share one timeout, so the new one usually goes last. */
  while (after != NULL && ((PendingRequest *) after->data)->deadline > request->deadline)
    after = after->prev;
  request->deadline_link.data = request;
  if (after == NULL)
    g_queue_push_head_link (&self->deadlines, &request->deadline_link);
  else
    g_queue_insert_after_link (&self->deadlines, after, &request->deadline_link);

  armed = any_timer_get_deadline (&self->deadline_timer);
  if (armed < 0 || request->deadline < armed)
    any_timer_arm_at (&self->deadline_timer, request->deadline);
}

static gboolean
on_request_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  PendingRequest *request = user_data;
  g_autoptr(GTask) task = NULL;

  g_clear_pointer (&request->cancelled, g_source_unref);
  task = any_requests_take (request->requests, request->seq);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

void
any_requests_add (AnyRequests  *self,
                  gint32        seq,
                  GTask        *task,
                  guint         timeout_ms,
                  GCancellable *cancellable)
{
  PendingRequest *request = g_new0 (PendingRequest, 1);

  request->requests = self;
  request->seq = seq;
  request->task = task;
  request->timeout_ms = timeout_ms;
  request->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  schedule_deadline (self, request);

  if (cancellable != NULL)
    {
      request->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (request->cancelled, G_SOURCE_FUNC (on_request_cancelled), request, NULL);
      g_source_attach (request->cancelled, self->context);
    }

  g_hash_table_replace (self->pending, GINT_TO_POINTER (seq), request);
}

void
any_requests_fail_all (AnyRequests *self,
                       const char  *reason)
{
  g_autoptr(GList) seqs = g_hash_table_get_keys (self->pending);

  for (GList *l = seqs; l != NULL; l = l->next)
    {
      g_autoptr(GTask) task = any_requests_take (self, GPOINTER_TO_INT (l->data));

      if (task != NULL)
        g_task_return_new_error (task, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_DISCONNECTED,
                                 _("Peer disconnected: %s"), reason);
    }
}
