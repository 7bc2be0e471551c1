/* any-timers.c: one timer source per GMainContext (any-timers.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "any-timers.h"

/* The heap holds each timer's keys beside its pointer: the comparisons
 * of a sift stay in this array instead of loading each timer, which
 * lives in a connection's own memory. With pointers only, re-arming a
 * heartbeat (then in the heap) near the top of 10,000 timers cost 13
 * levels of two cache misses each: heap_remove() was 11.5% of an idle
 * hub's CPU (perf, 10,000 idle peers).
 *
 * For the same reason a moved entry does not write its new place into
 * its timer: an armed timer holds a slot, and positions[slot] is where
 * its entry is, so a sift touches only these two dense arrays; the
 * timers are touched when armed, cancelled or called. (With the place
 * written into each moved timer, any_timer_arm_at() was 4.9% of the
 * idle hub; with positions[], heap_settle() 3.3%, its misses now on the
 * heap array itself, which 10,000 peers' state pushes out of the cache.
 * Heartbeats have since moved to the coarse queues below.) */
typedef struct {
  gint64    deadline;
  guint64   order;      /* ties: first armed, first called */
  AnyTimer *timer;
  guint     slot;
} HeapEntry;

/* Coarse timers of one delay, in arming order: their deadlines (now plus
 * the delay, rounded up to the delay's grid) only grow, so the queue is
 * sorted as it is filled. Re-arming a heartbeat appends it at the tail
 * and leaves a hole (timer NULL) where it was: one write, where a heap
 * moved it through the levels of 10,000 timers, a cache miss a level
 * (heap_settle() was 3.3% of a hub with 10,000 idle peers). The holes
 * go when the head passes them, or when the ring is full and half of
 * it is holes. */
typedef struct {
  gint64    deadline;
  guint64   order;
  AnyTimer *timer;      /* NULL: a hole */
} QueueEntry;

typedef struct {
  guint       delay_ms;   /* 0: unused */
  QueueEntry *ring;
  guint       cap;        /* a power of two, or 0 */
  guint       head;
  guint       len;        /* entries from head on, holes included */
  guint       live;
} CoarseQueue;

/* Delays with a queue of their own; timers of other delays go to the
 * heap (a socket has one heartbeat interval; a few sockets may differ). */
#define N_QUEUES 4

struct _AnyTimers
{
  GSource        source;
  GMainContext  *context;     /* the registry's key: kept alive with us */
  int            ref_count;   /* owners; under the registry's lock */
  HeapEntry     *heap;        /* earliest (deadline, order) first */
  guint          len;
  guint          alloc;
  guint         *positions;   /* slot -> its entry's place in the heap */
  guint         *spare;       /* free slots, a stack */
  guint          n_spare;
  guint          n_slots;     /* slots handed out so far (<= alloc) */
  CoarseQueue    queues[N_QUEUES];
  guint          queued;      /* live entries in all queues */
  guint64        next_order;
  gint64         ready;       /* the source's ready time, as last set */
  gint64         now;         /* while dispatching: the time read once */
  gboolean       dispatching;
};

G_LOCK_DEFINE_STATIC (registry);
static GHashTable *registry;  /* GMainContext -> AnyTimers */

static inline gboolean
entry_before (const HeapEntry *a,
              const HeapEntry *b)
{
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->order < b->order);
}

static inline void
heap_place (AnyTimers       *self,
            guint            i,
            const HeapEntry *entry)
{
  self->heap[i] = *entry;
  self->positions[entry->slot] = i;
}

static void
heap_sift_up (AnyTimers       *self,
              guint            i,
              const HeapEntry *entry)
{
  while (i > 0)
    {
      guint parent = (i - 1) / 2;

      if (!entry_before (entry, &self->heap[parent]))
        break;
      heap_place (self, i, &self->heap[parent]);
      i = parent;
    }
  heap_place (self, i, entry);
}

static void
heap_sift_down (AnyTimers       *self,
                guint            i,
                const HeapEntry *entry)
{
  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= self->len)
        break;
      if (child + 1 < self->len && entry_before (&self->heap[child + 1], &self->heap[child]))
        child++;
      if (!entry_before (&self->heap[child], entry))
        break;
      heap_place (self, i, &self->heap[child]);
      i = child;
    }
  heap_place (self, i, entry);
}

/* Puts @entry at place @i, up or down from there as its keys say. */
static void
heap_settle (AnyTimers       *self,
             guint            i,
             const HeapEntry *entry)
{
  if (i > 0 && entry_before (entry, &self->heap[(i - 1) / 2]))
    heap_sift_up (self, i, entry);
  else
    heap_sift_down (self, i, entry);
}

static void
heap_remove (AnyTimers *self,
             AnyTimer  *timer)
{
  guint slot = timer->slot - 1;
  guint i = self->positions[slot];
  HeapEntry last = self->heap[--self->len];

  timer->slot = 0;
  self->spare[self->n_spare++] = slot;
  if (i < self->len)
    heap_settle (self, i, &last);
}

/* A slot for a timer being armed, the arrays grown if needed. */
static guint
take_slot (AnyTimers *self)
{
  if (self->n_spare > 0)
    return self->spare[--self->n_spare];
  if (self->n_slots == self->alloc)
    {
      self->alloc = MAX (16, self->alloc * 2);
      self->heap = g_renew (HeapEntry, self->heap, self->alloc);
      self->positions = g_renew (guint, self->positions, self->alloc);
      self->spare = g_renew (guint, self->spare, self->alloc);
    }
  return self->n_slots++;
}

static inline QueueEntry *
queue_at (CoarseQueue *queue,
          guint        k)
{
  return &queue->ring[(queue->head + k) & (queue->cap - 1)];
}

/* Drops the holes at both ends: the head is then a live entry (or the
 * queue is empty) and the tail's deadline is that of a live timer. */
static void
queue_trim (CoarseQueue *queue)
{
  while (queue->len > 0 && queue_at (queue, 0)->timer == NULL)
    {
      queue->head = (queue->head + 1) & (queue->cap - 1);
      queue->len--;
    }
  while (queue->len > 0 && queue_at (queue, queue->len - 1)->timer == NULL)
    queue->len--;
}

/* Full: the live entries move to a ring of @cap (the same size when half
 * of it were holes, else twice), each timer told its new place. */
static void
queue_repack (CoarseQueue *queue,
              guint        cap)
{
  QueueEntry *ring = g_new (QueueEntry, cap);
  guint n = 0;

  for (guint k = 0; k < queue->len; k++)
    {
      QueueEntry *entry = queue_at (queue, k);

      if (entry->timer == NULL)
        continue;
      ring[n] = *entry;
      entry->timer->slot = n + 1;
      n++;
    }
  g_free (queue->ring);
  queue->ring = ring;
  queue->cap = cap;
  queue->head = 0;
  queue->len = n;
}

static void
queue_remove (AnyTimers *self,
              AnyTimer  *timer)
{
  CoarseQueue *queue = &self->queues[timer->queue - 1];

  queue->ring[timer->slot - 1].timer = NULL;
  queue->live--;
  self->queued--;
  timer->slot = 0;
  timer->queue = 0;
  queue_trim (queue);
}

/* Takes @timer out of wherever it is armed. */
static void
disarm (AnyTimers *self,
        AnyTimer  *timer)
{
  if (timer->queue != 0)
    queue_remove (self, timer);
  else
    heap_remove (self, timer);
}

/* The queue of @delay_ms, or one made for it; NULL when all are taken. */
static CoarseQueue *
find_queue (AnyTimers *self,
            guint      delay_ms)
{
  CoarseQueue *free_queue = NULL;

  for (guint q = 0; q < N_QUEUES; q++)
    {
      CoarseQueue *queue = &self->queues[q];

      if (queue->delay_ms == delay_ms)
        return queue;
      if (queue->live == 0 && free_queue == NULL)
        free_queue = queue;
    }
  if (free_queue != NULL)
    {
      free_queue->delay_ms = delay_ms;
      free_queue->head = free_queue->len = 0;
    }
  return free_queue;
}

/* Appends @timer for @deadline; FALSE (and nothing done) when the queue's
 * tail is later (the time read outside a dispatch may be ahead of the
 * dispatch's), then the heap takes it. */
static gboolean
queue_append (AnyTimers   *self,
              CoarseQueue *queue,
              AnyTimer    *timer,
              gint64       deadline)
{
  QueueEntry *entry;

  if (queue->len > 0 && queue_at (queue, queue->len - 1)->deadline > deadline)
    return FALSE;
  if (timer->slot != 0)
    disarm (self, timer);
  if (queue->len == queue->cap)
    queue_repack (queue, queue->live > queue->cap / 2 || queue->cap == 0 ? MAX (16, queue->cap * 2) : queue->cap);
  entry = queue_at (queue, queue->len);
  *entry = (QueueEntry) { deadline, self->next_order++, timer };
  timer->slot = (guint) (entry - queue->ring) + 1;
  timer->queue = (guint8) (queue - self->queues) + 1;
  timer->deadline = deadline;
  queue->len++;
  queue->live++;
  self->queued++;
  return TRUE;
}

/* The earliest armed timer's (deadline, order): the heap's top or the
 * head of a queue. NULL: none armed. */
static const HeapEntry *
earliest (AnyTimers *self,
          HeapEntry *scratch)
{
  const HeapEntry *best = self->len > 0 ? &self->heap[0] : NULL;

  for (guint q = 0; q < N_QUEUES; q++)
    {
      CoarseQueue *queue = &self->queues[q];
      QueueEntry *head;

      if (queue->len == 0)
        continue;
      head = queue_at (queue, 0);
      if (best == NULL || head->deadline < best->deadline ||
          (head->deadline == best->deadline && head->order < best->order))
        {
          *scratch = (HeapEntry) { head->deadline, head->order, head->timer, 0 };
          best = scratch;
        }
    }
  return best;
}

/* The source wakes up for the earliest deadline; set_ready_time wakes the
 * context up, so it is called only when that deadline changes, and once
 * at the end of a dispatch rather than for every timer armed in it. */
static void
update_ready_time (AnyTimers *self)
{
  HeapEntry scratch;
  const HeapEntry *first = earliest (self, &scratch);
  gint64 ready = first != NULL ? first->deadline : -1;

  if (self->dispatching || ready == self->ready)
    return;
  self->ready = ready;
  g_source_set_ready_time (&self->source, ready);
}

static gboolean
timers_dispatch (GSource     *source,
                 GSourceFunc  callback,
                 gpointer     user_data)
{
  AnyTimers *self = (AnyTimers *) source;

  self->now = g_source_get_time (source);
  self->dispatching = TRUE;
  /* The heap is read again after each callback: it may cancel, arm or
   * free any timer. One armed again for now or earlier waits for the
   * next dispatch (any_timer_arm_at()), so this loop ends. */
  while (!g_source_is_destroyed (source))
    {
      HeapEntry scratch;
      const HeapEntry *first = earliest (self, &scratch);
      AnyTimer *timer;

      if (first == NULL || first->deadline > self->now)
        break;
      timer = first->timer;
      disarm (self, timer);
      timer->func (timer, timer->user_data);
    }
  self->dispatching = FALSE;
  self->now = 0;
  if (g_source_is_destroyed (source))
    return G_SOURCE_REMOVE;
  self->ready = G_MININT64;   /* GLib leaves the ready time as it was */
  update_ready_time (self);
  return G_SOURCE_CONTINUE;
}

static void
timers_finalize (GSource *source)
{
  AnyTimers *self = (AnyTimers *) source;

  for (guint q = 0; q < N_QUEUES; q++)
    g_free (self->queues[q].ring);
  g_free (self->heap);
  g_free (self->positions);
  g_free (self->spare);
  g_main_context_unref (self->context);
}

static GSourceFuncs timers_funcs = { NULL, NULL, timers_dispatch, timers_finalize, NULL, NULL };

/* The timers of @context (NULL: the global default one), created and
 * attached to it on first use; a new reference, dropped with
 * any_timers_unref(). */
AnyTimers *
any_timers_get_for_context (GMainContext *context)
{
  AnyTimers *self;

  if (context == NULL)
    context = g_main_context_default ();

  G_LOCK (registry);
  if (registry == NULL)
    registry = g_hash_table_new (NULL, NULL);
  self = g_hash_table_lookup (registry, context);
  if (self != NULL)
    {
      self->ref_count++;
      G_UNLOCK (registry);
      return self;
    }
  self = (AnyTimers *) g_source_new (&timers_funcs, sizeof (AnyTimers));
  self->context = g_main_context_ref (context);
  self->ref_count = 1;
  self->ready = -1;
  g_source_set_static_name (&self->source, "[anysocket] timers");
  g_source_attach (&self->source, context);
  g_hash_table_insert (registry, context, self);
  G_UNLOCK (registry);
  return self;
}

AnyTimers *
any_timers_ref (AnyTimers *self)
{
  G_LOCK (registry);
  self->ref_count++;
  G_UNLOCK (registry);
  return self;
}

/* The last owner's unref detaches the source; its timers must be
 * cancelled by then. */
void
any_timers_unref (AnyTimers *self)
{
  gboolean last;

  G_LOCK (registry);
  last = --self->ref_count == 0;
  if (last)
    g_hash_table_remove (registry, self->context);
  G_UNLOCK (registry);
  if (!last)
    return;
  g_warn_if_fail (self->len == 0 && self->queued == 0);
  g_source_destroy (&self->source);
  g_source_unref (&self->source);
}

/* Monotonic µs: inside a dispatch, the time it read once; else now. */
gint64
any_timers_now (AnyTimers *self)
{
  return self->dispatching ? self->now : g_get_monotonic_time ();
}

guint
any_timers_get_n_armed (AnyTimers *self)
{
  return self->len + self->queued;
}

/* @func will be called with @user_data on the thread that runs @timers'
 * context, once per arming. Nothing to free: cancel before the owner
 * goes, and keep a reference on @timers for as long as @timer lives. */
void
any_timer_init (AnyTimer     *timer,
                AnyTimers    *timers,
                AnyTimerFunc  func,
                gpointer      user_data)
{
  timer->timers = timers;
  timer->func = func;
  timer->user_data = user_data;
  timer->deadline = 0;
  timer->slot = 0;
  timer->queue = 0;
}

/* (Re)arms @timer for the monotonic time @deadline (µs). An armed timer
 * keeps its slot and its entry moves from where it is. */
void
any_timer_arm_at (AnyTimer *timer,
                  gint64    deadline)
{
  AnyTimers *self = timer->timers;
  HeapEntry entry;
  guint i;

  if (self->dispatching && deadline <= self->now)
    deadline = self->now + 1;
  if (timer->slot != 0 && timer->deadline == deadline)
    return;
  if (timer->queue != 0)
    queue_remove (self, timer);
  if (timer->slot != 0)
    {
      entry.slot = timer->slot - 1;
      i = self->positions[entry.slot];
    }
  else
    {
      entry.slot = take_slot (self);
      timer->slot = entry.slot + 1;
      i = self->len++;
    }
  timer->deadline = deadline;
  entry.deadline = deadline;
  entry.order = self->next_order++;
  entry.timer = timer;
  heap_settle (self, i, &entry);
  update_ready_time (self);
}

void
any_timer_arm_ms (AnyTimer *timer,
                  guint     delay_ms)
{
  any_timer_arm_at (timer, any_timers_now (timer->timers) + (gint64) delay_ms * 1000);
}

/* As any_timer_arm_ms(), rounded up to the next step of the grid of
 * @delay_ms (any_timer_coarse_step()), so that the timers of that delay
 * due in one step are called in one dispatch. */
void
any_timer_arm_coarse_ms (AnyTimer *timer,
                         guint     delay_ms)
{
  AnyTimers *self = timer->timers;
  gint64 now = any_timers_now (self);
  gint64 step = any_timer_coarse_step (delay_ms);
  gint64 deadline = (now + (gint64) delay_ms * 1000 + step - 1) / step * step;
  CoarseQueue *queue;

  if (timer->slot != 0 && timer->deadline == deadline)
    return;
  queue = deadline > now ? find_queue (self, delay_ms) : NULL;
  if (queue != NULL && queue_append (self, queue, timer, deadline))
    update_ready_time (self);
  else
    any_timer_arm_at (timer, deadline);
}

void
any_timer_cancel (AnyTimer *timer)
{
  AnyTimers *self = timer->timers;

  if (timer->slot == 0)
    return;
  disarm (self, timer);
  update_ready_time (self);
}
