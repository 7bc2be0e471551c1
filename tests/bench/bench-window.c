/* bench-window.c: one measured window of a load generator
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "bench-proc.h"
#include "bench-window.h"

void
bench_window_start (BenchWindow *w,
                    int          server_pid)
{
  w->server_pid = server_pid;
  if (w->latencies == NULL)
    w->latencies = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1 << 20);
  g_array_set_size (w->latencies, 0);
  w->count = 0;
  w->start_us = g_get_monotonic_time ();
  w->server_cpu_us = bench_process_cpu_us (server_pid, &w->server_sys_us);
  w->client_cpu_us = bench_self_cpu_us ();
  w->machine_busy_us = bench_machine_busy_us ();
}

/* Warm-up from now, then the measured window. */
void
bench_window_plan (BenchWindow *w,
                   int          server_pid,
                   double       warmup,
                   double       duration)
{
  w->server_pid = server_pid;
  w->measuring = FALSE;
  w->warmup_end_us = g_get_monotonic_time () + (gint64) (warmup * G_USEC_PER_SEC);
  w->end_us = G_MAXINT64;
  w->duration = duration;
}

/* Starts the window once the warm-up is over; FALSE when it has ended. */
gboolean
bench_window_tick (BenchWindow *w)
{
  gint64 now = g_get_monotonic_time ();

  if (!w->measuring && now >= w->warmup_end_us)
    {
      bench_window_start (w, w->server_pid);
      w->measuring = TRUE;
      w->end_us = now + (gint64) (w->duration * G_USEC_PER_SEC);
    }
  return now < w->end_us;
}

void
bench_window_record (BenchWindow *w,
                     gint64       sent_at_us)
{
  guint32 us = (guint32) CLAMP (g_get_monotonic_time () - sent_at_us, 0, G_MAXUINT32);

  w->count++;
  g_array_append_val (w->latencies, us);
}

gboolean
bench_load_options_parse (BenchLoadOptions  *o,
                          const char        *summary,
                          int               *argc,
                          char            ***argv)
{
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &o->port, "Server port", "PORT" },
    { "conns", 'c', 0, G_OPTION_ARG_INT, &o->conns, "Connections (1)", "N" },
    { "inflight", 'k', 0, G_OPTION_ARG_INT, &o->inflight, "Messages in flight per connection (1)", "K" },
    { "size", 0, 0, G_OPTION_ARG_INT, &o->size, "Message size in bytes (36)", "B" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &o->duration, "Measured seconds (5)", "S" },
    { "warmup", 'w', 0, G_OPTION_ARG_DOUBLE, &o->warmup, "Warm-up seconds (1)", "S" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &o->server_pid, "The server's pid, for its CPU time", "PID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (summary);
  g_autoptr(GError) error = NULL;

  *o = (BenchLoadOptions) { .conns = 1, .inflight = 1, .size = 36, .duration = 5.0, .warmup = 1.0 };
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  if (o->port <= 0 || o->conns < 1 || o->inflight < 1 || o->size < 1)
    {
      g_printerr ("Need --port, --conns >= 1, --inflight >= 1, --size >= 1\n");
      return FALSE;
    }
  return TRUE;
}

static int
compare_u32 (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

void
bench_latencies_sort (GArray *latencies)
{
  g_array_sort (latencies, compare_u32);
}

guint32
bench_latencies_percentile (GArray *sorted,
                            double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, guint32, MIN (i, sorted->len - 1));
}

/* Prints "RESULT k=v ...", the keys of any-bench's req mode. */
void
bench_window_print (BenchWindow *w,
                    const char  *proto,
                    guint        conns,
                    int          inflight,
                    guint64      errors)
{
  guint64 sys;
  guint64 server = bench_process_cpu_us (w->server_pid, &sys) - w->server_cpu_us;
  guint64 client = bench_self_cpu_us () - w->client_cpu_us;
  guint64 busy = bench_machine_busy_us () - w->machine_busy_us;
  gint64 others = (gint64) busy - (gint64) server - (gint64) client;
  double seconds = (g_get_monotonic_time () - w->start_us) / 1e6;
  double count = (double) w->count;
  double window = seconds * G_USEC_PER_SEC;

  bench_latencies_sort (w->latencies);
  printf ("RESULT proto=%s mode=req conns=%u inflight=%d deflate=no seconds=%.2f count=%" G_GUINT64_FORMAT
          " rate=%.0f p50_us=%u p99_us=%u errors=%" G_GUINT64_FORMAT
          " srv_cpu_us_per_op=%.2f srv_cpu_pct=%.0f srv_sys_pct=%.0f cli_cpu_us_per_op=%.2f cli_cpu_pct=%.0f others_pct=%.0f\n",
          proto, conns, inflight, seconds, w->count, count / seconds,
          bench_latencies_percentile (w->latencies, 0.50), bench_latencies_percentile (w->latencies, 0.99), errors,
          count > 0 ? server / count : 0.0, 100.0 * server / window,
          server > 0 ? 100.0 * (sys - w->server_sys_us) / server : 0.0,
          count > 0 ? client / count : 0.0, 100.0 * client / window,
          MAX (0.0, 100.0 * others / window));
  fflush (stdout);
}
