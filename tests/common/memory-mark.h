/* memory-mark.h: how much memory the process holds, and whether it grew
 * by more than a case allows
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gsize heap;
  gsize rss;
} MemoryMark;

/* Bytes of heap in use (glibc's main arena and mmapped blocks), 0 when
 * not known (under valgrind, which replaces malloc). More precise than
 * RSS, which keeps freed memory. */
gsize      memory_heap_bytes    (void);
gsize      memory_rss_bytes     (void);

/* Under valgrind everything runs some 30 times slower: timings are not
 * the point there. */
gboolean   running_slow         (void);

/* Takes the mark once what is ready has run. */
void       memory_mark          (MemoryMark       *mark);
/* Heap in use grew by less than @bound since @mark (not checked when the
 * heap is unknown); @what names the measure in the test's log. */
void       assert_memory_growth (const MemoryMark *mark,
                                 gsize             bound,
                                 const char       *what);

G_END_DECLS
