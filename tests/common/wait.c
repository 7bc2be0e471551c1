/* wait.c: bounded waits on the default main context
 *
 * SPDX-License-Identifier: MIT
 */
#include "wait.h"

/* WAIT_FOR's ticker: wakes its blocking iteration every WAIT_TICK_MS. */
gboolean
wait_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
wait_for (gboolean *done, guint timeout_ms)
{
  return WAIT_FOR (*done, timeout_ms);
}

gboolean
wait_count (int *counter, int count, guint timeout_ms)
{
  return WAIT_FOR (*counter >= count, timeout_ms);
}

static gboolean
set_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Lets closing handshakes finish (libsoup keeps a closing connection
 * alive until the other side answers), so nothing is in flight when a
 * test ends: quiet for 100 ms, or 3 s at most. */
void
drain (void)
{
  gint64 deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  gint64 quiet_since = g_get_monotonic_time ();

  while (g_get_monotonic_time () < deadline &&
         g_get_monotonic_time () - quiet_since < 100 * 1000)
    {
      if (g_main_context_iteration (NULL, FALSE))
        quiet_since = g_get_monotonic_time ();
      else
        g_usleep (1000);
    }
}

void
run_ready (void)
{
  gint64 end = g_get_monotonic_time () + 3000;

  for (guint i = 0; i < 200 && g_get_monotonic_time () < end; i++)
    if (!g_main_context_iteration (NULL, FALSE))
      break;
}
