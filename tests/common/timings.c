/* timings.c: requests timed, and timings judged by their median
 *
 * SPDX-License-Identifier: MIT
 */
#include "timings.h"

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

gboolean
median_under (GArray     *values_us,
              guint       rounds,
              gint64      limit_us,
              const char *what)
{
  g_autoptr(GArray) sorted = g_array_copy (values_us);
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 median;

  g_assert_cmpuint (values_us->len, ==, rounds);
  for (guint i = 0; i < values_us->len; i++)
    g_string_append_printf (text, " %.1f", g_array_index (values_us, gint64, i) / 1000.0);
  g_array_sort (sorted, compare_gint64);
  median = g_array_index (sorted, gint64, sorted->len / 2);
  g_printerr ("# %s, ms:%s (median %.1f)\n", what, text->str, median / 1000.0);
  return median < limit_us;
}

typedef struct {
  GArray *into;
  GMutex *lock;
  gint64  start;
} Timing;

static void
on_timed_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Timing *timing = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = any_peer_request_finish (ANY_PEER (source), result, &error);
  gint64 rtt = g_get_monotonic_time () - timing->start;

  g_assert_no_error (error);
  if (timing->lock != NULL)
    g_mutex_lock (timing->lock);
  g_array_append_val (timing->into, rtt);
  if (timing->lock != NULL)
    g_mutex_unlock (timing->lock);
  g_free (timing);
}

void
request_timed (AnyPeer  *peer,
               JsonNode *msg,
               GArray   *into_us,
               GMutex   *lock)
{
  Timing *timing = g_new0 (Timing, 1);

  timing->into = into_us;
  timing->lock = lock;
  timing->start = g_get_monotonic_time ();
  any_peer_request_async (peer, msg, 5000, NULL, on_timed_reply, timing);
}
