/* test-poll.c: the one epoll source per main context (any-poll.c): a
 * fixed number of polled fds whatever the number of watches, the first
 * watches polled directly (until there are many), only ready ones
 * called, level-triggered,
 * watches changed and freed from inside the dispatch, deferred flushes,
 * and each thread-default context with its own source.
 *
 * Each test runs twice: /poll/direct/ with its watches among the first
 * of the context (polled by the context itself), /poll/epoll/ with the
 * direct slots taken while they are made (so they go through the epoll
 * set) and freed again before the test goes on.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/any-poll.h"

#define N_WATCHES 1000
#define MAX_ITERATIONS 1000

typedef struct _Pair Pair;
struct _Pair {
  int           fds[2];
  AnyPollWatch *watch;
  guint         calls;
  AnyPollEvents last;
  gsize         read_per_call;  /* bytes taken per IN, 0: none */
  AnyPollWatch **free_on_call;  /* another watch to free when called */
  gboolean      defer;          /* asks for a flush when called */
  Pair         *nest;           /* runs a nested loop until it is called */
  Pair         *open_on_call;   /* a pair to open (ANY_POLL_IN) when called */
  gboolean      deferred;       /* any_poll_watch_defer_flush() said */
  guint         flushes;
};

static void pair_open (Pair *p, AnyPollEvents events);

static void
on_ready (gpointer      user_data,
          AnyPollEvents events)
{
  Pair *p = user_data;

  if (events & ANY_POLL_FLUSH)
    {
      p->flushes++;
      return;
    }
  p->calls++;
  p->last = events;
  if ((events & ANY_POLL_IN) && p->read_per_call > 0)
    {
      char buffer[64];

      g_assert_cmpint (read (p->fds[0], buffer, p->read_per_call), ==, (gssize) p->read_per_call);
    }
  if (p->free_on_call != NULL)
    g_clear_pointer (p->free_on_call, any_poll_watch_free);
  if (p->defer)
    p->deferred = any_poll_watch_defer_flush (p->watch);
  if (p->open_on_call != NULL)
    pair_open (g_steal_pointer (&p->open_on_call), ANY_POLL_IN);
  if (p->nest != NULL)
    {
      Pair *other = g_steal_pointer (&p->nest);

      for (guint i = 0; i < MAX_ITERATIONS && other->calls == 0; i++)
        g_main_context_iteration (NULL, FALSE);
      /* A few more turns: we are ready too, and must not be called. */
      for (guint i = 0; i < 5; i++)
        g_main_context_iteration (NULL, FALSE);
    }
}

/* /poll/epoll/: new watches go through the epoll set. */
static gboolean through_epoll;

static void
pair_open (Pair          *p,
           AnyPollEvents  events)
{
  AnyPollWatch *fillers[ANY_POLL_DIRECT_MAX];
  int filler_fds[ANY_POLL_DIRECT_MAX];
  guint n_fillers = through_epoll ? ANY_POLL_DIRECT_MAX : 0;

  memset (p, 0, sizeof *p);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fds), ==, 0);
  /* Watches waiting for nothing take the free direct slots meanwhile. */
  for (guint i = 0; i < n_fillers; i++)
    {
      filler_fds[i] = dup (p->fds[1]);
      fillers[i] = any_poll_watch_new (filler_fds[i], 0, on_ready, NULL);
    }
  p->watch = any_poll_watch_new (p->fds[0], events, on_ready, p);
  for (guint i = 0; i < n_fillers; i++)
    {
      any_poll_watch_free (fillers[i]);
      close (filler_fds[i]);
    }
}

static void
pair_close (Pair *p)
{
  g_clear_pointer (&p->watch, any_poll_watch_free);
  close (p->fds[0]);
  close (p->fds[1]);
}

static void
iterate (GMainContext *context,
         guint         n)
{
  for (guint i = 0; i < n; i++)
    g_main_context_iteration (context, FALSE);
}

/* The fds the context polls in one iteration. */
static gint
polled_fds (GMainContext *context)
{
  GPollFD fds[64];
  gint priority = 0;
  gint timeout = 0;
  gint n;

  if (context == NULL)
    context = g_main_context_default ();
  g_main_context_acquire (context);
  g_main_context_prepare (context, &priority);
  n = g_main_context_query (context, priority, &timeout, fds, G_N_ELEMENTS (fds));
  g_main_context_check (context, priority, fds, MIN (n, (gint) G_N_ELEMENTS (fds)));
  g_main_context_release (context);
  return n;
}

static void
test_one_source (void)
{
  Pair *pairs = g_new0 (Pair, N_WATCHES);
  gint fds_few;

  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
  for (guint i = 0; i <= ANY_POLL_DIRECT_MAX; i++)
    pair_open (&pairs[i], ANY_POLL_IN);
  fds_few = polled_fds (NULL);
  for (guint i = ANY_POLL_DIRECT_MAX + 1; i < N_WATCHES; i++)
    pair_open (&pairs[i], ANY_POLL_IN);
  g_assert_cmpuint (any_poll_count_sources (), ==, 1);
  g_assert_cmpuint (any_poll_count_watches (g_main_context_default ()), ==, N_WATCHES);
  /* A thousand connections: the polled fds of one (the direct ones went
   * into the epoll set past ANY_POLL_DIRECT_UNTIL). */
  g_assert_cmpint (polled_fds (NULL), ==, fds_few - (through_epoll ? 0 : ANY_POLL_DIRECT_MAX));

  /* Only the ready ones are called. */
  for (guint i = 0; i < N_WATCHES; i += 100)
    {
      pairs[i].read_per_call = 1;
      g_assert_cmpint (write (pairs[i].fds[1], "x", 1), ==, 1);
    }
  iterate (NULL, 3);
  for (guint i = 0; i < N_WATCHES; i++)
    {
      g_assert_cmpuint (pairs[i].calls, ==, i % 100 == 0 ? 1 : 0);
      if (i % 100 == 0)
        g_assert_cmpint (pairs[i].last, ==, ANY_POLL_IN);
    }

  for (guint i = 0; i < N_WATCHES; i++)
    pair_close (&pairs[i]);
  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
  g_free (pairs);
}

/* What a call leaves unread makes it ready again on the next turn. */
static void
test_level_triggered (void)
{
  Pair p;

  pair_open (&p, ANY_POLL_IN);
  p.read_per_call = 1;
  g_assert_cmpint (write (p.fds[1], "0123456789", 10), ==, 10);
  for (guint i = 0; i < MAX_ITERATIONS && p.calls < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (p.calls, ==, 10);
  iterate (NULL, 5);
  g_assert_cmpuint (p.calls, ==, 10);
  pair_close (&p);
}

static void
test_events (void)
{
  Pair p;

  pair_open (&p, 0);
  iterate (NULL, 3);
  g_assert_cmpuint (p.calls, ==, 0);
  any_poll_watch_set_events (p.watch, ANY_POLL_OUT);
  g_assert_cmpint (any_poll_watch_get_events (p.watch), ==, ANY_POLL_OUT);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (p.calls, ==, 1);
  g_assert_cmpint (p.last, ==, ANY_POLL_OUT);
  any_poll_watch_set_events (p.watch, 0);
  iterate (NULL, 3);
  g_assert_cmpuint (p.calls, ==, 1);

  /* A hang-up is reported without asking. */
  close (p.fds[1]);
  p.fds[1] = dup (p.fds[0]);   /* closed by pair_close() */
  shutdown (p.fds[0], SHUT_RDWR);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (p.calls, ==, 2);
  g_assert_true (p.last & ANY_POLL_ERR);
  pair_close (&p);
}

/* Two ready in one batch; the first frees the second (and itself is
 * freed after): the second is never called (valgrind sees no use of
 * freed memory). */
static void
test_free_inside (void)
{
  Pair a, b;

  pair_open (&a, ANY_POLL_IN);
  pair_open (&b, ANY_POLL_IN);
  a.free_on_call = &b.watch;
  b.free_on_call = &a.watch;
  g_assert_cmpint (write (a.fds[1], "x", 1), ==, 1);
  g_assert_cmpint (write (b.fds[1], "x", 1), ==, 1);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (a.calls + b.calls, ==, 1);
  g_assert_true (a.watch == NULL || b.watch == NULL);
  g_assert_cmpuint (any_poll_count_watches (g_main_context_default ()), ==, 1);
  pair_close (&a);
  pair_close (&b);
  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
}

/* The last watch freed from inside: the source goes after its batch. */
static void
test_free_last_inside (void)
{
  Pair a;

  pair_open (&a, ANY_POLL_IN);
  a.free_on_call = &a.watch;
  g_assert_cmpint (write (a.fds[1], "x", 1), ==, 1);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_null (a.watch);
  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
  pair_close (&a);
}

static void
test_defer_flush (void)
{
  Pair a, b;

  pair_open (&a, ANY_POLL_IN);
  pair_open (&b, ANY_POLL_IN);
  g_assert_false (any_poll_watch_defer_flush (a.watch));   /* outside a dispatch */
  a.defer = b.defer = TRUE;
  a.read_per_call = b.read_per_call = 1;
  g_assert_cmpint (write (a.fds[1], "x", 1), ==, 1);
  g_assert_cmpint (write (b.fds[1], "x", 1), ==, 1);
  g_main_context_iteration (NULL, FALSE);
  g_assert_true (a.deferred);
  g_assert_true (b.deferred);
  g_assert_cmpuint (a.flushes, ==, 1);
  g_assert_cmpuint (b.flushes, ==, 1);
  pair_close (&a);
  pair_close (&b);
}

/* A callback that runs a nested main loop: the other connections are
 * served inside it, not the one whose callback runs (still readable: it
 * read nothing), which is served again once its callback returned. */
static void
test_nested_loop (void)
{
  Pair a, b;

  pair_open (&a, ANY_POLL_IN);
  pair_open (&b, ANY_POLL_IN);
  b.read_per_call = 1;
  a.nest = &b;
  g_assert_cmpint (write (a.fds[1], "x", 1), ==, 1);
  g_assert_cmpint (write (b.fds[1], "x", 1), ==, 1);
  for (guint i = 0; i < MAX_ITERATIONS && a.calls == 0; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (b.calls, ==, 1);
  a.read_per_call = 1;
  for (guint i = 0; i < MAX_ITERATIONS && a.calls == 1; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (a.calls, ==, 2);
  pair_close (&a);
  pair_close (&b);
}

/* Each thread-default context has its own source; one does not dispatch
 * the other's watches. */
static void
test_thread_default (void)
{
  GMainContext *other = g_main_context_new ();
  Pair ours, theirs;

  pair_open (&ours, ANY_POLL_IN);
  g_main_context_push_thread_default (other);
  pair_open (&theirs, ANY_POLL_IN);
  g_main_context_pop_thread_default (other);
  g_assert_cmpuint (any_poll_count_sources (), ==, 2);
  g_assert_cmpuint (any_poll_count_watches (other), ==, 1);

  ours.read_per_call = theirs.read_per_call = 1;
  g_assert_cmpint (write (ours.fds[1], "x", 1), ==, 1);
  g_assert_cmpint (write (theirs.fds[1], "x", 1), ==, 1);
  iterate (NULL, 3);
  g_assert_cmpuint (ours.calls, ==, 1);
  g_assert_cmpuint (theirs.calls, ==, 0);
  iterate (other, 3);
  g_assert_cmpuint (theirs.calls, ==, 1);

  pair_close (&ours);
  pair_close (&theirs);
  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
  g_main_context_unref (other);
}

/* The context polls the fd of each of the first ANY_POLL_DIRECT_MAX
 * watches, and the epoll fd: one more polled fd per watch up to there,
 * none after. A freed slot goes to the next new watch; a watch that
 * peeks (edge-triggered) never takes one. Ready direct and epoll watches
 * are served in the same dispatch. */
static void
test_direct_slots (void)
{
  Pair pairs[ANY_POLL_DIRECT_MAX + 2], edge, late;
  gint fds_one;

  pair_open (&pairs[0], ANY_POLL_IN);
  fds_one = polled_fds (NULL);
  for (guint i = 1; i < G_N_ELEMENTS (pairs); i++)
    {
      pair_open (&pairs[i], ANY_POLL_IN);
      g_assert_cmpint (polled_fds (NULL), ==, fds_one + (gint) MIN (i, ANY_POLL_DIRECT_MAX - 1));
    }
  /* The slots are full: an edge-triggered watch changes nothing, and
   * the slot of a freed direct watch goes to the next one, not to it. */
  pair_close (&pairs[1]);
  g_assert_cmpint (polled_fds (NULL), ==, fds_one + ANY_POLL_DIRECT_MAX - 2);
  pair_open (&edge, ANY_POLL_IN | ANY_POLL_EDGE);
  g_assert_cmpint (polled_fds (NULL), ==, fds_one + ANY_POLL_DIRECT_MAX - 2);
  pair_open (&late, ANY_POLL_IN);
  g_assert_cmpint (polled_fds (NULL), ==, fds_one + ANY_POLL_DIRECT_MAX - 1);

  /* One direct (pairs[0]) and one in the epoll set (the last): both
   * called in one turn. */
  pairs[0].read_per_call = pairs[ANY_POLL_DIRECT_MAX + 1].read_per_call = edge.read_per_call = 1;
  g_assert_cmpint (write (pairs[0].fds[1], "x", 1), ==, 1);
  g_assert_cmpint (write (pairs[ANY_POLL_DIRECT_MAX + 1].fds[1], "x", 1), ==, 1);
  g_assert_cmpint (write (edge.fds[1], "x", 1), ==, 1);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (pairs[0].calls, ==, 1);
  g_assert_cmpuint (pairs[ANY_POLL_DIRECT_MAX + 1].calls, ==, 1);
  g_assert_cmpuint (edge.calls, ==, 1);
  iterate (NULL, 3);
  g_assert_cmpuint (pairs[0].calls + pairs[ANY_POLL_DIRECT_MAX + 1].calls + edge.calls, ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    if (i != 1)
      pair_close (&pairs[i]);
  pair_close (&edge);
  pair_close (&late);
  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
}

/* Past ANY_POLL_DIRECT_UNTIL watches the direct ones move into the
 * epoll set, also from inside a dispatch that is serving them, and none
 * of their readiness is lost; back under it, new watches take slots. */
static void
test_demote (void)
{
  Pair pairs[ANY_POLL_DIRECT_UNTIL], extra, late;
  gint fds_direct, fds_none;

  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    pair_open (&pairs[i], ANY_POLL_IN);
  fds_direct = polled_fds (NULL);
  fds_none = fds_direct - ANY_POLL_DIRECT_MAX;
  for (guint i = ANY_POLL_DIRECT_MAX; i < G_N_ELEMENTS (pairs); i++)
    pair_open (&pairs[i], ANY_POLL_IN);
  g_assert_cmpint (polled_fds (NULL), ==, fds_direct);

  /* All direct watches ready; the first (served first) opens the watch
   * one past the limit, so the others move while the dispatch holds
   * them. Each is called once, none twice or never. */
  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    {
      pairs[i].read_per_call = 1;
      g_assert_cmpint (write (pairs[i].fds[1], "x", 1), ==, 1);
    }
  pairs[0].open_on_call = &extra;
  g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (extra.watch);
  iterate (NULL, 3);
  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    g_assert_cmpuint (pairs[i].calls, ==, 1);
  g_assert_cmpint (polled_fds (NULL), ==, fds_none);

  /* They are served through the epoll set now. */
  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    g_assert_cmpint (write (pairs[i].fds[1], "x", 1), ==, 1);
  iterate (NULL, 3);
  for (guint i = 0; i < ANY_POLL_DIRECT_MAX; i++)
    g_assert_cmpuint (pairs[i].calls, ==, 2);

  /* Back under the limit, a new watch takes a slot. */
  pair_close (&extra);
  pair_close (&pairs[G_N_ELEMENTS (pairs) - 1]);
  pair_open (&late, ANY_POLL_IN);
  g_assert_cmpint (polled_fds (NULL), ==, fds_none + 1);

  pair_close (&late);
  for (guint i = 0; i < G_N_ELEMENTS (pairs) - 1; i++)
    pair_close (&pairs[i]);
  g_assert_cmpuint (any_poll_count_sources (), ==, 0);
}

/* Runs a test with its watches made through the epoll set. */
static void
run_through_epoll (gconstpointer data)
{
  GTestFunc test = (GTestFunc) data;

  through_epoll = TRUE;
  test ();
  through_epoll = FALSE;
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    GTestFunc   func;
  } tests[] = {
    { "one-source", test_one_source },
    { "level-triggered", test_level_triggered },
    { "events", test_events },
    { "free-inside", test_free_inside },
    { "free-last-inside", test_free_last_inside },
    { "defer-flush", test_defer_flush },
    { "nested-loop", test_nested_loop },
    { "thread-default", test_thread_default },
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
    {
      g_autofree char *direct = g_strconcat ("/poll/direct/", tests[i].name, NULL);
      g_autofree char *epoll = g_strconcat ("/poll/epoll/", tests[i].name, NULL);

      g_test_add_func (direct, tests[i].func);
      g_test_add_data_func (epoll, (gconstpointer) tests[i].func, run_through_epoll);
    }
  g_test_add_func ("/poll/direct-slots", test_direct_slots);
  g_test_add_func ("/poll/demote", test_demote);

  return g_test_run ();
}
