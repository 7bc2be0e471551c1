/* any-source.h: GSource helpers the private layers share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Destroys and unrefs *@source, if any, and clears the pointer. */
static inline void
any_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static inline gboolean
any_deadline_source_dispatch (GSource     *source,
                              GSourceFunc  callback,
                              gpointer     user_data)
{
  return callback (user_data);
}

/* A source that fires at its ready time and nothing else: a deadline
 * moved with g_source_set_ready_time() as a connection changes state,
 * cheaper than a new timeout source each time. */
static inline GSource *
any_deadline_source_new (void)
{
  static GSourceFuncs funcs = { NULL, NULL, any_deadline_source_dispatch, NULL, NULL, NULL };

  return g_source_new (&funcs, sizeof (GSource));
}

G_END_DECLS
