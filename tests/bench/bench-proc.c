/* bench-proc.c: CPU and memory of processes, for the benchmark programs
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "bench-proc.h"

/* Process @pid's CPU time (utime + stime) in microseconds, its kernel part
 * in *@sys_us; 0 when it cannot be read. */
guint64
bench_process_cpu_us (int      pid,
                      guint64 *sys_us)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  guint64 tick_us = G_USEC_PER_SEC / (guint64) sysconf (_SC_CLK_TCK);
  const char *p;

  if (sys_us != NULL)
    *sys_us = 0;
  if (pid <= 0)
    return 0;
  path = g_strdup_printf ("/proc/%d/stat", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  p = strrchr (contents, ')');
  if (p == NULL)
    return 0;
  fields = g_strsplit (p + 2, " ", 0);
  /* Field 3 (state) is fields[0]: utime (14) and stime (15). */
  if (g_strv_length (fields) < 13)
    return 0;
  if (sys_us != NULL)
    *sys_us = g_ascii_strtoull (fields[12], NULL, 10) * tick_us;
  return (g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10)) * tick_us;
}

/* Process @pid's resident memory (VmRSS) in KiB; 0 when unknown. */
gsize
bench_process_rss_kib (int pid)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  const char *p;

  if (pid <= 0)
    return 0;
  path = g_strdup_printf ("/proc/%d/status", pid);
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  p = strstr (contents, "\nVmRSS:");
  if (p == NULL)
    return 0;
  return (gsize) g_ascii_strtoull (p + 7, NULL, 10);
}

guint64
bench_self_cpu_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (guint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* CPU time the whole machine spent busy (or stolen by the hypervisor),
 * all CPUs, in microseconds: what is not ours or the server's was taken
 * by other processes, which spoils a measurement on a shared machine. */
guint64
bench_machine_busy_us (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  guint64 busy = 0;
  char *newline;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL))
    return 0;
  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  fields = g_strsplit_set (contents, " ", 0);
  /* "cpu" "" user nice system idle iowait irq softirq steal */
  for (guint i = 2, n = 0; fields[i] != NULL && n < 8; i++)
    {
      if (*fields[i] == '\0')
        continue;
      if (n != 3 && n != 4)     /* not idle, not iowait */
        busy += g_ascii_strtoull (fields[i], NULL, 10);
      n++;
    }
  return busy * G_USEC_PER_SEC / (guint64) sysconf (_SC_CLK_TCK);
}

/* Process @pid's CPU time in microseconds from the scheduler's own count
 * (/proc/PID/task/TID/schedstat, nanoseconds, summed over its threads):
 * exact where /proc/PID/stat counts in clock ticks (10 ms), for windows
 * of a few milliseconds of work. Threads that ended are not counted. */
guint64
bench_process_runtime_us (int pid)
{
  g_autofree char *dir_path = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *tid;
  guint64 ns = 0;

  if (pid <= 0)
    return 0;
  dir_path = g_strdup_printf ("/proc/%d/task", pid);
  dir = g_dir_open (dir_path, 0, NULL);
  if (dir == NULL)
    return 0;
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s/schedstat", dir_path, tid);
      g_autofree char *contents = NULL;

      if (g_file_get_contents (path, &contents, NULL, NULL))
        ns += g_ascii_strtoull (contents, NULL, 10);
    }
  return ns / 1000;
}
