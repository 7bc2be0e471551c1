/* any-timers.h: one timer source per GMainContext, shared by every link
 *
 * A peer's heartbeat, its AUTH and E2E timeouts and its reply deadlines
 * are AnyTimers embedded in their owner's struct (arming allocates
 * nothing). All the timers of one GMainContext sit in one binary min-heap
 * (the coarse ones in queues beside it) driven by one GSource whose ready
 * time is the earliest deadline, so an idle peer has no GSource of its
 * own and the main loop's cost does not grow with the number of peers.
 * Arming and cancelling are O(log n), and O(1) for a coarse timer.
 *
 * Coarse timers (heartbeats) are rounded up to a grid whose step is at
 * most a sixteenth of their delay, a power of two from 1 to
 * ANY_TIMER_MAX_STEP_MS ms (256 ms for the default 5 s heartbeat), so the
 * peers due in the same step are handled in one dispatch and their
 * answers come back as one burst; exact timers (reply deadlines) keep
 * their microsecond. The coarse timers of one delay wait in a queue of
 * their own, in arming order, which is their deadlines' order.
 * The time is read once per dispatch.
 *
 * An AnyTimers and its timers are used only from the thread that runs its
 * context; any_timers_get_for_context() and any_timers_unref() may be
 * called from any thread.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ANY_TIMER_MAX_STEP_MS 256

typedef struct _AnyTimers AnyTimers;
typedef struct _AnyTimer  AnyTimer;

/* Called once when @timer's deadline passed; @timer is disarmed first, so
 * the callback may arm it again, clear it or free its owner. */
typedef void (*AnyTimerFunc) (AnyTimer *timer,
                              gpointer  user_data);

struct _AnyTimer
{
  /*< private >*/
  AnyTimers    *timers;     /* weak: the owner holds a reference */
  AnyTimerFunc  func;
  gpointer      user_data;
  gint64        deadline;   /* monotonic µs */
  guint         slot;       /* where its entry is, plus one (the heap's
                             * positions, or its queue's ring); 0: not
                             * armed */
  guint8        queue;      /* its coarse queue, plus one; 0: the heap */
};

AnyTimers *any_timers_get_for_context (GMainContext *context);
AnyTimers *any_timers_ref             (AnyTimers    *timers);
void       any_timers_unref           (AnyTimers    *timers);
gint64     any_timers_now             (AnyTimers    *timers);
guint      any_timers_get_n_armed     (AnyTimers    *timers);

void       any_timer_init             (AnyTimer     *timer,
                                       AnyTimers    *timers,
                                       AnyTimerFunc  func,
                                       gpointer      user_data);
void       any_timer_arm_at           (AnyTimer     *timer,
                                       gint64        deadline);
void       any_timer_arm_ms           (AnyTimer     *timer,
                                       guint         delay_ms);
void       any_timer_arm_coarse_ms    (AnyTimer     *timer,
                                       guint         delay_ms);
void       any_timer_cancel           (AnyTimer     *timer);

static inline gboolean
any_timer_is_armed (const AnyTimer *timer)
{
  return timer->slot != 0;
}

/* The grid step, in µs, of a coarse timer of @delay_ms: delays close to
 * each other share it. */
static inline gint64
any_timer_coarse_step (guint delay_ms)
{
  guint step_ms = 1;

  while (step_ms < ANY_TIMER_MAX_STEP_MS && step_ms * 2 <= delay_ms / 16)
    step_ms *= 2;
  return (gint64) step_ms * 1000;
}

static inline gint64
any_timer_get_deadline (const AnyTimer *timer)
{
  return timer->slot != 0 ? timer->deadline : -1;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnyTimers, any_timers_unref)

G_END_DECLS
