/* any-dial-guard.c: one cancellable for a step of a link's setup,
 * cancelled by either of two callers' cancellables or at a deadline
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-dial-guard.h"

#include "any-source.h"

static gboolean
on_deadline (gpointer user_data)
{
  AnyDialGuard *self = user_data;

  self->timed_out = TRUE;
  g_cancellable_cancel (self->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller,
                     gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

void
any_dial_guard_init (AnyDialGuard *self,
                     GCancellable *first,
                     GCancellable *second,
                     guint         timeout_ms,
                     const char   *name)
{
  GCancellable *callers[2] = { first, second };

  self->cancellable = g_cancellable_new ();
  self->timeout_ms = timeout_ms;
  for (guint i = 0; i < G_N_ELEMENTS (callers); i++)
    if (callers[i] != NULL)
      {
        self->caller[i] = g_object_ref (callers[i]);
        self->caller_id[i] = g_cancellable_connect (callers[i], G_CALLBACK (on_caller_cancelled),
                                                    g_object_ref (self->cancellable), g_object_unref);
      }
  if (timeout_ms > 0)
    {
      self->deadline = g_timeout_source_new (timeout_ms);
      g_source_set_callback (self->deadline, on_deadline, self, NULL);
      g_source_set_static_name (self->deadline, name);
      g_source_attach (self->deadline, g_main_context_get_thread_default ());
    }
}

void
any_dial_guard_clear (AnyDialGuard *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->caller); i++)
    if (self->caller[i] != NULL)
      {
        g_cancellable_disconnect (self->caller[i], self->caller_id[i]);
        g_clear_object (&self->caller[i]);
      }
  any_clear_source (&self->deadline);
  g_clear_object (&self->cancellable);
}

GError *
any_dial_guard_explain (AnyDialGuard *self,
                        GError       *error,
                        GQuark        domain,
                        int           code,
                        const char   *format,
                        ...)
{
  va_list args;
  GError *said;

  if (!any_dial_guard_timed_out (self, error))
    return error;
  va_start (args, format);
  said = g_error_new_valist (domain, code, format, args);
  va_end (args);
  g_error_free (error);
  return said;
}

gboolean
any_dial_guard_timed_out (AnyDialGuard *self,
                          const GError *error)
{
  return self->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}
