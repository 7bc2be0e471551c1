/* any-poll.c: one epoll set per GMainContext, attached as one GSource
 *
 * GLib's main loop walks every source and polls every fd on each
 * iteration: with a source (or more) per connection, an idle hub spends
 * its time on bookkeeping that grows with its peers (issue 14). Here all
 * connections of a context share one epoll set; the context polls only
 * its fd, and the source's dispatch asks epoll which connections are
 * ready (at most BATCH per dispatch; the rest stay ready for the next)
 * and calls theirs. The cost of an iteration follows the active
 * connections, not all of them.
 *
 * Level-triggered, not edge-triggered: a connection reads at most its
 * budget per turn (any-ws-link.c) and leaves the rest in the socket, so
 * that one flooding peer does not starve the others. Level-triggered,
 * epoll reports it again on the next turn without anything to remember;
 * edge-triggered, each such connection would need a list of its own of
 * "still readable" watches, and a missed one would hang. ANY_POLL_EDGE is
 * for a watch that only peeks (the start of an upgrade request,
 * any-ws-server.c): what it saw stays in the socket, and it waits for
 * more. Interest in
 * writability is on only while a connection has bytes the kernel did not
 * take, so an idle writable socket costs nothing.
 *
 * A watch freed from inside a dispatch (its own callback or another's)
 * is not called again: freeing marks it dead and the memory goes at the
 * end of the batch, since epoll may still have handed out its pointer.
 *
 * The source may recurse (G_SOURCE_CAN_RECURSE): GLib blocks a source
 * that may not while it dispatches, removing its fd from the context's
 * poll set and adding it back after, and each of those wakes the context
 * up with a write to its eventfd: two system calls per dispatch, per
 * request at 1 x 1. So this source is never blocked, and handles a
 * nested main loop (run from a callback) itself: a watch whose callback
 * is running is not called again from inside it; if it is ready then, it
 * leaves the epoll set until its callback returns (a level-triggered fd
 * would otherwise make the nested loop spin); each level of nesting has
 * its own read buffer.
 *
 * The first ANY_POLL_DIRECT_MAX watches of a context (not those that
 * peek) are not in the epoll set: their fds are the source's own, polled
 * by the context beside the epoll fd. A client with one connection, or the
 * first peers of a server, then sleep in the context's poll() on the
 * socket itself: no epoll_wait() after each wake-up, and no wake-up
 * passed from the socket through the epoll set to the poll() on it.
 * The context still polls a fixed number of fds, whatever the number of
 * connections. (1 x 1 requests, 3 system calls per request instead of 4;
 * the measurement is in README, "Performance".) Past
 * ANY_POLL_DIRECT_UNTIL watches the direct ones move into the epoll set:
 * a busy hub wakes up through epoll anyway, and each poll() then had to
 * register on and poll four more sockets (at 10,000 idle peers, 700
 * wake-ups a second, poll() was 14% of the hub's time). New watches take
 * a free slot again once the context is back under the limit.
 *
 * Linux only (the library builds on Debian); the source holds a
 * reference to nothing: it goes with its last watch.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-poll.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Ready connections served per dispatch. */
#define BATCH 256
/* The shared read buffer: one read of a connection's turn. */
#define READ_BUFFER_SIZE (64 * 1024)
/* Nested dispatches with a read buffer of their own. */
#define MAX_DEPTH 8

typedef struct {
  GSource       source;
  GMainContext *context;
  int           epfd;
  gpointer      tag;           /* g_source_add_unix_fd() */
  guint         watches;
  guint         depth;         /* dispatches running (nested loops) */
  guint64       batches;       /* dispatches that called watches */
  AnyPollWatch *direct[ANY_POLL_DIRECT_MAX];  /* NULL: a free slot */
  GPtrArray    *dead;          /* freed watches, until the batch ends */
  GPtrArray    *flush;         /* watches to call with ANY_POLL_FLUSH */
  guint8       *buffers[MAX_DEPTH];   /* READ_BUFFER_SIZE, on first use */
} PollSource;

struct _AnyPollWatch
{
  PollSource   *poll;
  int           fd;
  AnyPollEvents events;
  AnyPollFunc   func;
  gpointer      user_data;
  gboolean      flush_pending;
  guint         busy;          /* its callback is running */
  gboolean      suspended;     /* out of the set until it returns */
  gpointer      tag;           /* a direct watch's g_source_add_unix_fd() */
  int           slot;          /* in poll->direct; -1: in the epoll set */
};

/* context -> PollSource; contexts of several threads */
static GMutex polls_lock;
static GHashTable *polls;

static gboolean
poll_check (GSource *source)
{
  PollSource *poll = (PollSource *) source;

  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    {
      AnyPollWatch *watch = poll->direct[i];

      if (watch != NULL && watch->tag != NULL && g_source_query_unix_fd (source, watch->tag) != 0)
        return TRUE;
    }
  return (g_source_query_unix_fd (source, poll->tag) & G_IO_IN) != 0;
}

static void
free_dead (PollSource *poll)
{
  for (guint i = 0; i < poll->dead->len; i++)
    g_free (g_ptr_array_index (poll->dead, i));
  g_ptr_array_set_size (poll->dead, 0);
}

static guint32
epoll_events (AnyPollEvents events)
{
  return ((events & ANY_POLL_IN) ? EPOLLIN | EPOLLRDHUP : 0) | ((events & ANY_POLL_OUT) ? EPOLLOUT : 0) |
         ((events & ANY_POLL_EDGE) ? EPOLLET : 0);
}

static GIOCondition
direct_condition (AnyPollEvents events)
{
  return ((events & ANY_POLL_IN) ? G_IO_IN : 0) | ((events & ANY_POLL_OUT) ? G_IO_OUT : 0);
}

/* Puts @watch into the set (EPOLL_CTL_ADD), changes what it waits for
 * (MOD) or takes it out (DEL), as an epoll entry or as one of the
 * source's own fds. */
static void
watch_ctl (AnyPollWatch *watch,
           int           op)
{
  struct epoll_event event = { 0 };

  if (watch->slot >= 0)
    {
      GSource *source = &watch->poll->source;

      if (op == EPOLL_CTL_ADD)
        watch->tag = g_source_add_unix_fd (source, watch->fd, direct_condition (watch->events));
      else if (op == EPOLL_CTL_MOD)
        g_source_modify_unix_fd (source, watch->tag, direct_condition (watch->events));
      else if (watch->tag != NULL)
        g_source_remove_unix_fd (source, g_steal_pointer (&watch->tag));
      return;
    }

  event.events = epoll_events (watch->events);
  event.data.ptr = watch;
  if (epoll_ctl (watch->poll->epfd, op, watch->fd, &event) != 0)
    g_warning ("epoll_ctl (%d, %d): %s", op, watch->fd, g_strerror (errno));
}

static void
call (AnyPollWatch  *watch,
      AnyPollEvents  events)
{
  watch->busy++;
  watch->func (watch->user_data, events);
  watch->busy--;
  if (watch->busy == 0 && watch->suspended && watch->func != NULL)
    {
      watch->suspended = FALSE;
      watch_ctl (watch, EPOLL_CTL_ADD);
    }
}

/* Calls the watches that asked for a flush, but those whose callback is
 * running (an outer level flushes them). */
static void
run_flushes (PollSource *poll)
{
  guint kept = 0;

  /* Grows while it runs: a flush may make another connection's. */
  for (guint i = 0; i < poll->flush->len; i++)
    {
      AnyPollWatch *watch = g_ptr_array_index (poll->flush, i);

      if (watch->func != NULL && watch->busy > 0)
        {
          g_ptr_array_index (poll->flush, kept++) = watch;
          continue;
        }
      watch->flush_pending = FALSE;
      if (watch->func != NULL)
        call (watch, ANY_POLL_FLUSH);
    }
  g_ptr_array_set_size (poll->flush, kept);
}

static AnyPollEvents
ready_events (gboolean in,
              gboolean out,
              gboolean err)
{
  return (in ? ANY_POLL_IN : 0) | (out ? ANY_POLL_OUT : 0) | (err ? ANY_POLL_ERR : 0);
}

/* Calls @watch with @ready, unless it went or is out of the set; FALSE
 * once a nested loop served a dispatch of its own meanwhile: what the
 * caller was told may be stale (the rest are still ready next turn if
 * they are). */
static gboolean
serve (PollSource    *poll,
       AnyPollWatch  *watch,
       AnyPollEvents  ready,
       guint64        batches)
{
  if (watch->func == NULL || watch->suspended)
    return TRUE;   /* freed earlier in this batch, or out of the set */
  if (watch->busy > 0)
    {
      /* Ready inside its own callback's nested loop. */
      watch->suspended = TRUE;
      watch_ctl (watch, EPOLL_CTL_DEL);
      return TRUE;
    }
  call (watch, ready);
  return poll->batches == batches;
}

static gboolean
poll_dispatch (GSource     *source,
               GSourceFunc  callback,
               gpointer     user_data)
{
  PollSource *poll = (PollSource *) source;
  struct epoll_event events[BATCH];
  AnyPollWatch *direct[ANY_POLL_DIRECT_MAX];
  GIOCondition revents[ANY_POLL_DIRECT_MAX];
  guint n_direct = 0;
  gboolean fresh = TRUE;
  gboolean epoll_ready;
  guint64 batches;
  int n = 0;

  /* What the context's poll() said of the direct watches, read before
   * any callback runs (one may free or add watches). */
  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    {
      AnyPollWatch *watch = poll->direct[i];
      GIOCondition cond;

      if (watch == NULL || watch->tag == NULL)
        continue;
      cond = g_source_query_unix_fd (source, watch->tag);
      if (cond != 0)
        {
          direct[n_direct] = watch;
          revents[n_direct++] = cond;
        }
    }
  epoll_ready = (g_source_query_unix_fd (source, poll->tag) & G_IO_IN) != 0;
  if (n_direct == 0 && !epoll_ready)
    return G_SOURCE_CONTINUE;
  batches = ++poll->batches;

  /* A callback may free the last watch: the source lives to the end. */
  g_source_ref (source);
  poll->depth++;
  for (guint i = 0; i < n_direct && fresh; i++)
    fresh = serve (poll, direct[i],
                   ready_events (revents[i] & G_IO_IN, revents[i] & G_IO_OUT,
                                 revents[i] & (G_IO_ERR | G_IO_HUP | G_IO_NVAL)),
                   batches);
  /* epoll_wait() only when the epoll fd was ready, and after the direct
   * watches: what it hands out is served in this batch. */
  if (fresh && epoll_ready)
    n = epoll_wait (poll->epfd, events, BATCH, 0);
  for (int i = 0; i < n && fresh; i++)
    fresh = serve (poll, events[i].data.ptr,
                   ready_events (events[i].events & EPOLLIN, events[i].events & EPOLLOUT,
                                 events[i].events & (EPOLLERR | EPOLLHUP)),
                   batches);
  run_flushes (poll);
  poll->depth--;
  if (poll->depth == 0)
    free_dead (poll);
  g_source_unref (source);
  return G_SOURCE_CONTINUE;
}

static void
poll_finalize (GSource *source)
{
  PollSource *poll = (PollSource *) source;

  free_dead (poll);
  g_ptr_array_unref (poll->dead);
  g_ptr_array_unref (poll->flush);
  for (guint i = 0; i < MAX_DEPTH; i++)
    g_free (poll->buffers[i]);
  close (poll->epfd);
  g_main_context_unref (poll->context);
}

static GSourceFuncs poll_funcs = {
  NULL, poll_check, poll_dispatch, poll_finalize, NULL, NULL,
};

/* @context's poll source, made if needed; with polls_lock held. */
static PollSource *
get_poll (GMainContext *context)
{
  PollSource *poll;
  int epfd;

  if (polls == NULL)
    polls = g_hash_table_new (NULL, NULL);
  poll = g_hash_table_lookup (polls, context);
  if (poll != NULL)
    return poll;

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    g_error ("epoll_create1: %s", g_strerror (errno));
  poll = (PollSource *) g_source_new (&poll_funcs, sizeof (PollSource));
  poll->context = g_main_context_ref (context);
  poll->epfd = epfd;
  poll->dead = g_ptr_array_new ();
  poll->flush = g_ptr_array_new ();
  poll->tag = g_source_add_unix_fd (&poll->source, epfd, G_IO_IN);
  g_source_set_static_name (&poll->source, "[anysocket] connections (epoll)");
  g_source_set_can_recurse (&poll->source, TRUE);
  g_source_attach (&poll->source, context);
  g_hash_table_insert (polls, context, poll);
  return poll;
}

/* Moves the direct watches of @poll into the epoll set. One whose
 * callback runs with it out of both sets goes there when it returns. */
static void
demote_direct (PollSource *poll)
{
  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    {
      AnyPollWatch *watch = poll->direct[i];

      if (watch == NULL)
        continue;
      if (!watch->suspended)
        watch_ctl (watch, EPOLL_CTL_DEL);
      poll->direct[i] = NULL;
      watch->slot = -1;
      if (!watch->suspended)
        watch_ctl (watch, EPOLL_CTL_ADD);
    }
}

AnyPollWatch *
any_poll_watch_new (int            fd,
                    AnyPollEvents  events,
                    AnyPollFunc    func,
                    gpointer       user_data)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  AnyPollWatch *watch = g_new0 (AnyPollWatch, 1);

  gboolean crowded;

  g_mutex_lock (&polls_lock);
  watch->poll = get_poll (context);
  crowded = ++watch->poll->watches > ANY_POLL_DIRECT_UNTIL;
  watch->slot = -1;
  for (int i = 0; i < ANY_POLL_DIRECT_MAX && !crowded && !(events & ANY_POLL_EDGE); i++)
    if (watch->poll->direct[i] == NULL)
      {
        watch->poll->direct[i] = watch;
        watch->slot = i;
        break;
      }
  g_mutex_unlock (&polls_lock);

  if (crowded)
    demote_direct (watch->poll);

  watch->fd = fd;
  watch->events = events;
  watch->func = func;
  watch->user_data = user_data;
  watch_ctl (watch, EPOLL_CTL_ADD);
  return watch;
}

void
any_poll_watch_set_events (AnyPollWatch  *watch,
                           AnyPollEvents  events)
{
  if (watch->events == events)
    return;
  watch->events = events;
  if (!watch->suspended)   /* else added back with them */
    watch_ctl (watch, EPOLL_CTL_MOD);
}

AnyPollEvents
any_poll_watch_get_events (AnyPollWatch *watch)
{
  return watch->events;
}

gboolean
any_poll_watch_defer_flush (AnyPollWatch *watch)
{
  if (watch->poll->depth == 0)
    return FALSE;
  if (!watch->flush_pending)
    {
      watch->flush_pending = TRUE;
      g_ptr_array_add (watch->poll->flush, watch);
    }
  return TRUE;
}

guint8 *
any_poll_watch_read_buffer (AnyPollWatch *watch,
                            gsize        *size)
{
  PollSource *poll = watch->poll;
  guint level = poll->depth > 0 ? MIN (poll->depth, MAX_DEPTH) - 1 : 0;

  /* Deeper than MAX_DEPTH is not expected; the last level's is shared. */
  if (poll->buffers[level] == NULL)
    poll->buffers[level] = g_malloc (READ_BUFFER_SIZE);
  *size = READ_BUFFER_SIZE;
  return poll->buffers[level];
}

void
any_poll_watch_free (AnyPollWatch *watch)
{
  PollSource *poll;
  gboolean last;

  if (watch == NULL)
    return;
  poll = watch->poll;
  /* The fd may be closed already (a hang-up), then it left the set. */
  if (watch->slot >= 0)
    watch_ctl (watch, EPOLL_CTL_DEL);
  else
    epoll_ctl (poll->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
  watch->func = NULL;

  g_mutex_lock (&polls_lock);
  if (watch->slot >= 0)
    poll->direct[watch->slot] = NULL;
  last = --poll->watches == 0;
  if (last)
    g_hash_table_remove (polls, poll->context);
  g_mutex_unlock (&polls_lock);

  if (poll->depth > 0)
    g_ptr_array_add (poll->dead, watch);
  else
    g_free (watch);
  if (last)
    {
      g_source_destroy (&poll->source);
      g_source_unref (&poll->source);
    }
}

guint
any_poll_count_sources (void)
{
  guint n;

  g_mutex_lock (&polls_lock);
  n = polls != NULL ? g_hash_table_size (polls) : 0;
  g_mutex_unlock (&polls_lock);
  return n;
}

guint
any_poll_count_watches (GMainContext *context)
{
  PollSource *poll;
  guint n = 0;

  g_mutex_lock (&polls_lock);
  poll = polls != NULL ? g_hash_table_lookup (polls, context) : NULL;
  if (poll != NULL)
    n = poll->watches;
  g_mutex_unlock (&polls_lock);
  return n;
}
