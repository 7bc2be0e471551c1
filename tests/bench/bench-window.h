/* bench-window.h: one measured window of a load generator (tcp-bench,
 * zmq-bench): server and client CPU, other processes' CPU, latencies, and
 * the RESULT line run-bench.sh reads (the keys of any-bench's)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int      server_pid;
  gint64   start_us;
  guint64  server_cpu_us;
  guint64  server_sys_us;
  guint64  client_cpu_us;
  guint64  machine_busy_us;
  guint64  count;
  GArray  *latencies;          /* guint32 microseconds */
  /* The phases (bench_window_plan, bench_window_tick) */
  gboolean measuring;
  gint64   warmup_end_us;
  gint64   end_us;
  double   duration;
} BenchWindow;

/* The options of tcp-bench and zmq-bench. */
typedef struct {
  int    port;
  int    conns;          /* 1 */
  int    inflight;       /* 1 */
  int    size;           /* 36 */
  double duration;       /* 5 s */
  double warmup;         /* 1 s */
  int    server_pid;
} BenchLoadOptions;

gboolean bench_load_options_parse (BenchLoadOptions  *o,
                                   const char        *summary,
                                   int               *argc,
                                   char            ***argv);

/* Sorts @latencies (guint32); the value at fraction @p of the sorted array. */
void     bench_latencies_sort       (GArray *latencies);
guint32  bench_latencies_percentile (GArray *sorted,
                                     double  p);

void bench_window_start  (BenchWindow *w,
                          int          server_pid);
void     bench_window_plan (BenchWindow *w,
                            int          server_pid,
                            double       warmup,
                            double       duration);
gboolean bench_window_tick (BenchWindow *w);
void bench_window_record (BenchWindow *w,
                          gint64       sent_at_us);
void bench_window_print  (BenchWindow *w,
                          const char  *proto,
                          guint        conns,
                          int          inflight,
                          guint64      errors);

G_END_DECLS
