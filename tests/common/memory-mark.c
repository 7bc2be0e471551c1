/* memory-mark.c: how much memory the process holds
 *
 * SPDX-License-Identifier: MIT
 */
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "memory-mark.h"
#include "wait.h"

gsize
memory_rss_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL) ||
      sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

gsize
memory_heap_bytes (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* Valgrind's malloc leaves glibc with no heap in use. */
gboolean
running_slow (void)
{
  return memory_heap_bytes () == 0;
}

void
memory_mark (MemoryMark *mark)
{
  run_ready ();
  mark->heap = memory_heap_bytes ();
  mark->rss = memory_rss_bytes ();
}

void
assert_memory_growth (const MemoryMark *mark,
                      gsize             bound,
                      const char       *what)
{
  MemoryMark now;
  gssize heap_growth, rss_growth;

  memory_mark (&now);
  heap_growth = (gssize) now.heap - (gssize) mark->heap;
  rss_growth = (gssize) now.rss - (gssize) mark->rss;
  g_test_message ("%s: heap %+zd KiB, RSS %+zd KiB (bound %zu KiB)",
                  what, heap_growth / 1024, rss_growth / 1024, bound / 1024);
  /* RSS keeps freed memory and is distorted under valgrind: only the heap
   * in use is a fair measure. */
  if (mark->heap != 0)
    g_assert_cmpint (heap_growth, <, (gssize) bound);
  else
    g_test_message ("heap in use unknown (valgrind?): not checked");
}
