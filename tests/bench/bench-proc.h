/* bench-proc.h: CPU and memory of processes, for the benchmark programs
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint64 bench_process_cpu_us  (int      pid,
                               guint64 *sys_us);
gsize   bench_process_rss_kib (int      pid);
guint64 bench_self_cpu_us     (void);
guint64 bench_machine_busy_us (void);
guint64 bench_process_runtime_us (int pid);

G_END_DECLS
