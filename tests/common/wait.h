/* wait.h: bounded waits on the default main context, the one way every
 * test of tests/ waits for what should happen
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The bound of every wait for what should be quick (a test may set its
 * own before including this). */
#ifndef WAIT_MS
#define WAIT_MS 5000
#endif

/* How long one blocking iteration of WAIT_FOR may sleep: what another
 * thread changes (bad-flood.c's flooders count atomically) is seen this
 * soon, without the CPU cost of polling (test-bad-fds.c and the heartbeat
 * cases measure a process that mostly waits). */
#define WAIT_TICK_MS 10

gboolean   wait_tick      (gpointer       user_data);

/* Iterates the default main context until @cond holds or @ms passed;
 * evaluates to whether @cond held (its last evaluation: a side effect in
 * @cond happens once per iteration). */
#define WAIT_FOR(cond, ms) ({                                                  \
    gint64 wait_deadline_ = g_get_monotonic_time () + (gint64) (ms) * 1000;    \
    guint wait_tick_ = g_timeout_add (WAIT_TICK_MS, wait_tick, NULL);          \
    gboolean wait_ok_;                                                         \
    while (!(wait_ok_ = !!(cond)) && g_get_monotonic_time () < wait_deadline_) \
      g_main_context_iteration (NULL, TRUE);                                   \
    g_source_remove (wait_tick_);                                              \
    wait_ok_; })

/* WAIT_FOR for WAIT_MS; the caller checks the outcome (a test may define
 * its own, asserting one, before including this). */
#ifndef WAIT_UNTIL
#define WAIT_UNTIL(cond) ((void) WAIT_FOR (cond, WAIT_MS))
#endif

gboolean   wait_for       (gboolean      *done,
                           guint          timeout_ms);
gboolean   wait_count     (int           *counter,
                           int            count,
                           guint          timeout_ms);
/* Runs the main context for @ms, whatever happens, asleep in poll
 * between events. */
void       iterate_for    (guint          ms);
/* Until nothing happened for 100 ms (3 s at most): lets closing
 * handshakes finish. */
void       drain          (void);
/* Runs what is ready now, for at most a few milliseconds: never waits
 * (a client that always has something ready would keep drain() busy). */
void       run_ready      (void);

G_END_DECLS
