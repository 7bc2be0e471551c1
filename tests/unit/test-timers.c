/* test-timers.c: the timers shared by every link of a main context
 * (libanysocket/any-timers.c), alone, then under 200 idle peers
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "any-timers.h"
#include "codec/any-codec.h"
#include "protocol/any-engine.h"
#include "fake-transport.h"
#include "loopback.h"

/* A timer's owner: what it saw when called. */
typedef struct {
  AnyTimer   timer;
  GPtrArray *log;       /* of owners, in call order */
  guint      calls;
  gint64     called_at; /* any_timers_now() in the call */
  GThread   *thread;
  /* What the callback does: */
  AnyTimer  *cancel;    /* cancel this one */
  guint      rearm;     /* arm itself again, this many times... */
  guint      rearm_ms;  /* ...after this long */
  gpointer  *free_me;   /* g_free (*free_me), clear it */
  AnyTimers *unref_me;  /* drop this reference */
} Owner;

static void
echo_message (AnySocket *socket, AnyPacket *packet, gpointer user_data)
{
  any_packet_reply (packet, any_packet_get_msg (packet), NULL);
}

static void
on_owner_timer (AnyTimer *timer,
                gpointer  user_data)
{
  Owner *owner = user_data;

  g_assert_true (timer == &owner->timer);
  g_assert_false (any_timer_is_armed (timer));
  owner->calls++;
  owner->called_at = any_timers_now (timer->timers);
  owner->thread = g_thread_self ();
  if (owner->log != NULL)
    g_ptr_array_add (owner->log, owner);
  if (owner->cancel != NULL)
    any_timer_cancel (owner->cancel);
  if (owner->rearm > 0)
    {
      owner->rearm--;
      any_timer_arm_ms (timer, owner->rearm_ms);
    }
  if (owner->free_me != NULL && *owner->free_me != NULL)
    {
      Owner *freed = *owner->free_me;

      any_timer_cancel (&freed->timer);
      g_clear_pointer (owner->free_me, g_free);
    }
  if (owner->unref_me != NULL)
    g_clear_pointer (&owner->unref_me, any_timers_unref);
}

static gboolean
any_armed (AnyTimers *timers)
{
  return any_timers_get_n_armed (timers) > 0;
}

/* Runs @context until no timer is armed, at most 5 s. */
static void
run_timers (GMainContext *context,
            AnyTimers    *timers)
{
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (any_armed (timers) && g_get_monotonic_time () < end)
    g_main_context_iteration (context, TRUE);
  g_assert_false (any_armed (timers));
}

/* By deadline; equal deadlines in the order they were armed. */
static void
test_order (void)
{
  g_autoptr(AnyTimers) timers = any_timers_get_for_context (NULL);
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  static const guint delays[] = { 40, 10, 30, 10, 0, 20, 30, 10 };
  static const guint expect[] = { 4, 1, 3, 7, 5, 2, 6, 0 };
  Owner owners[G_N_ELEMENTS (delays)] = { 0 };
  gint64 start = g_get_monotonic_time ();

  /* Shared: the same context gives the same timers. */
  g_assert_true (timers == any_timers_get_for_context (g_main_context_default ()));
  any_timers_unref (timers);

  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      owners[i].log = log;
      any_timer_init (&owners[i].timer, timers, on_owner_timer, &owners[i]);
    }
  /* Same deadline: one call to any_timers_now() outside a dispatch can
   * differ from the next; arm them at explicit times instead. */
  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    any_timer_arm_at (&owners[i].timer, start + delays[i] * 1000);
  /* Arming again at another time moves it; at the same time, not. */
  any_timer_arm_at (&owners[0].timer, start + 1000 * 1000);
  any_timer_arm_at (&owners[0].timer, start + 40 * 1000);
  g_assert_cmpuint (any_timers_get_n_armed (timers), ==, G_N_ELEMENTS (delays));

  run_timers (NULL, timers);
  g_assert_cmpuint (log->len, ==, G_N_ELEMENTS (delays));
  for (guint i = 0; i < log->len; i++)
    {
      Owner *owner = g_ptr_array_index (log, i);

      g_assert_true (owner == &owners[expect[i]]);
      g_assert_cmpuint (owner->calls, ==, 1);
      g_assert_cmpint (owner->called_at, >=, start + delays[expect[i]] * 1000);
    }
}

/* Many timers armed, moved and cancelled at random: they fire in
 * (deadline, last arming) order, each once, the cancelled ones never
 * (the heap keeps its keys beside the pointers: a sift that read a
 * stale key would break the order). /timers/many-random-coarse arms
 * half of them coarse, with six delays: four get a queue, the others
 * and the exact ones share the heap, and holes left by moves and
 * cancels fill the queues' rings until they are packed again. */
typedef struct {
  Owner   owner;
  gint64  deadline;
  guint   seq;      /* when last armed */
  gboolean armed;
} Randomised;

static gint
randomised_cmp (gconstpointer a,
                gconstpointer b)
{
  const Randomised *x = *(Randomised * const *) a, *y = *(Randomised * const *) b;

  if (x->deadline != y->deadline)
    return x->deadline < y->deadline ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
run_many_random (gboolean coarse)
{
  static const guint coarse_delays[] = { 30, 60, 90, 130, 170, 250 };
  enum { N = 2000, OPS = 6000 };
  g_autoptr(AnyTimers) timers = any_timers_get_for_context (NULL);
  g_autoptr(GPtrArray) log = g_ptr_array_new ();
  g_autoptr(GPtrArray) expect = g_ptr_array_new ();
  g_autofree Randomised *all = g_new0 (Randomised, N);
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  /* On the coarse grids (8 ms and finer): exact and coarse deadlines
   * fall on the same microsecond, and their order decides. */
  gint64 start = (g_get_monotonic_time () / 8000 + 7) * 8000;
  guint seq = 0, cancelled = 0;

  for (guint i = 0; i < N; i++)
    {
      all[i].owner.log = log;
      any_timer_init (&all[i].owner.timer, timers, on_owner_timer, &all[i]);
    }
  for (guint op = 0; op < N + OPS; op++)
    {
      Randomised *r = &all[op < N ? op : (guint) g_rand_int_range (rand, 0, N)];

      /* Time passes: a coarse timer armed again gets a later deadline,
       * leaves a hole in its queue and goes to the tail. */
      if (coarse && op % 400 == 0)
        g_usleep (3000);

      if (op >= N && r->armed && g_rand_int_range (rand, 0, 4) == 0)
        {
          any_timer_cancel (&r->owner.timer);
          r->armed = FALSE;
          continue;
        }
      if (coarse && g_rand_boolean (rand))
        {
          gint64 before = any_timer_get_deadline (&r->owner.timer);

          any_timer_arm_coarse_ms (&r->owner.timer, coarse_delays[g_rand_int_range (rand, 0, G_N_ELEMENTS (coarse_delays))]);
          r->deadline = any_timer_get_deadline (&r->owner.timer);
          if (!r->armed || r->deadline != before)
            r->seq = ++seq;
          r->armed = TRUE;
          continue;
        }
      /* Steps of 500 µs over 100 ms: many equal deadlines. */
      r->deadline = start + g_rand_int_range (rand, 0, 200) * 500;
      /* The same deadline again leaves the timer where it is. */
      if (!r->armed || r->deadline != any_timer_get_deadline (&r->owner.timer))
        r->seq = ++seq;
      any_timer_arm_at (&r->owner.timer, r->deadline);
      r->armed = TRUE;
    }
  for (guint i = 0; i < N; i++)
    {
      if (all[i].armed)
        g_ptr_array_add (expect, &all[i]);
      else
        cancelled++;
      g_assert_cmpint (any_timer_get_deadline (&all[i].owner.timer), ==, all[i].armed ? all[i].deadline : -1);
    }
  g_assert_cmpuint (cancelled, >, 0);
  g_assert_cmpuint (any_timers_get_n_armed (timers), ==, expect->len);
  g_ptr_array_sort (expect, randomised_cmp);

  run_timers (NULL, timers);
  g_assert_cmpuint (log->len, ==, expect->len);
  for (guint i = 0; i < log->len; i++)
    {
      Randomised *r = g_ptr_array_index (log, i);

      g_assert_true (r == g_ptr_array_index (expect, i));
      g_assert_cmpuint (r->owner.calls, ==, 1);
      g_assert_cmpint (r->owner.called_at, >=, r->deadline);
    }
}

static void
test_many_random (void)
{
  run_many_random (FALSE);
}

static void
test_many_random_coarse (void)
{
  run_many_random (TRUE);
}

/* A callback cancels another timer due in the same dispatch. */
static void
test_cancel_in_callback (void)
{
  g_autoptr(AnyTimers) timers = any_timers_get_for_context (NULL);
  Owner a = { 0 }, b = { 0 }, c = { 0 };
  gint64 at = g_get_monotonic_time () + 10 * 1000;

  any_timer_init (&a.timer, timers, on_owner_timer, &a);
  any_timer_init (&b.timer, timers, on_owner_timer, &b);
  any_timer_init (&c.timer, timers, on_owner_timer, &c);
  a.cancel = &b.timer;
  any_timer_arm_at (&a.timer, at);
  any_timer_arm_at (&b.timer, at);
  any_timer_arm_at (&c.timer, at);
  run_timers (NULL, timers);
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (b.calls, ==, 0);
  g_assert_cmpuint (c.calls, ==, 1);
  /* Cancelling what is not armed is nothing. */
  any_timer_cancel (&b.timer);
  any_timer_cancel (&a.timer);
}

/* A callback arms its own timer again: for now (it waits for the next
 * dispatch: no endless loop), then later. */
static void
test_rearm_in_callback (void)
{
  g_autoptr(AnyTimers) timers = any_timers_get_for_context (NULL);
  Owner now = { .rearm = 3, .rearm_ms = 0 };
  Owner later = { .rearm = 2, .rearm_ms = 20 };
  gint64 start = g_get_monotonic_time ();

  any_timer_init (&now.timer, timers, on_owner_timer, &now);
  any_timer_init (&later.timer, timers, on_owner_timer, &later);
  any_timer_arm_ms (&now.timer, 0);
  any_timer_arm_ms (&later.timer, 5);
  run_timers (NULL, timers);
  g_assert_cmpuint (now.calls, ==, 4);
  g_assert_cmpuint (later.calls, ==, 3);
  g_assert_cmpint (later.called_at - start, >=, (5 + 20 + 20) * 1000);
}

/* Coarse timers due within one tick are called in one dispatch (they
 * see the same time), and the exact ones at their time. */
static void
test_same_tick (void)
{
  g_autoptr(AnyTimers) timers = any_timers_get_for_context (NULL);
  enum { N = 1000 };
  Owner *owners = g_new0 (Owner, N);
  Owner exact = { 0 };
  guint delay_ms = 1000;
  gint64 tick = any_timer_coarse_step (delay_ms), start, deadline;

  /* Start at the beginning of a tick, so the delays below stay in it. */
  start = g_get_monotonic_time ();
  while (start % tick > tick / 4)
    {
      g_usleep (1000);
      start = g_get_monotonic_time ();
    }
  for (guint i = 0; i < N; i++)
    {
      any_timer_init (&owners[i].timer, timers, on_owner_timer, &owners[i]);
      any_timer_arm_coarse_ms (&owners[i].timer, delay_ms + (i % 3));
    }
  deadline = any_timer_get_deadline (&owners[0].timer);
  g_assert_cmpint (deadline % tick, ==, 0);
  any_timer_init (&exact.timer, timers, on_owner_timer, &exact);
  any_timer_arm_at (&exact.timer, start + 7777);
  g_assert_cmpint (any_timer_get_deadline (&exact.timer), ==, start + 7777);

  run_timers (NULL, timers);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpuint (owners[i].calls, ==, 1);
      g_assert_cmpint (owners[i].called_at, ==, owners[0].called_at);
      g_assert_cmpint (any_timer_get_deadline (&owners[i].timer), ==, -1);
    }
  g_assert_cmpint (owners[0].called_at, >=, deadline);
  g_assert_cmpint (exact.called_at, >=, start + 7777);
  g_assert_cmpint (exact.called_at, <, owners[0].called_at);
  g_free (owners);
}

/* A callback frees another owner (cancelling its timer), and the last
 * reference on the timers goes inside a callback. */
static void
test_owner_freed_in_dispatch (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  AnyTimers *timers = any_timers_get_for_context (context);
  Owner *victim = g_new0 (Owner, 1);
  gpointer victim_ptr = victim;
  Owner killer = { .free_me = &victim_ptr };
  gint64 at = g_get_monotonic_time () + 5 * 1000;
  guint iterations = 0;

  any_timer_init (&killer.timer, timers, on_owner_timer, &killer);
  any_timer_init (&victim->timer, timers, on_owner_timer, victim);
  any_timer_arm_at (&killer.timer, at);
  any_timer_arm_at (&victim->timer, at);
  run_timers (context, timers);
  g_assert_cmpuint (killer.calls, ==, 1);
  g_assert_null (victim_ptr);   /* freed before its turn: never called */

  /* The last owner goes in its own callback: the source detaches. */
  killer.unref_me = g_steal_pointer (&timers);
  any_timer_arm_ms (&killer.timer, 1);
  while (killer.calls < 2 && iterations++ < 1000)
    g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (killer.calls, ==, 2);
  g_assert_null (killer.unref_me);
  g_assert_false (g_main_context_pending (context));
  /* A new owner gets new timers, which work. */
  timers = any_timers_get_for_context (context);
  killer.calls = 0;
  any_timer_init (&killer.timer, timers, on_owner_timer, &killer);
  any_timer_arm_ms (&killer.timer, 1);
  run_timers (context, timers);
  g_assert_cmpuint (killer.calls, ==, 1);
  any_timers_unref (timers);
}

typedef struct {
  GMainContext *context;
  AnyTimers    *timers;
  Owner         owner;
  GThread      *thread;
} ThreadRun;

static gpointer
run_in_thread (gpointer user_data)
{
  ThreadRun *run = user_data;

  g_main_context_push_thread_default (run->context);
  run->timers = any_timers_get_for_context (g_main_context_get_thread_default ());
  run->thread = g_thread_self ();
  any_timer_init (&run->owner.timer, run->timers, on_owner_timer, &run->owner);
  any_timer_arm_ms (&run->owner.timer, 20);
  run_timers (run->context, run->timers);
  g_main_context_pop_thread_default (run->context);
  return NULL;
}

/* Each thread-default context has its own timers, run by its thread. */
static void
test_thread_default (void)
{
  g_autoptr(AnyTimers) main_timers = any_timers_get_for_context (NULL);
  ThreadRun runs[2] = { { 0 } };
  GThread *threads[2];
  Owner here = { 0 };

  any_timer_init (&here.timer, main_timers, on_owner_timer, &here);
  any_timer_arm_ms (&here.timer, 10);
  for (guint i = 0; i < 2; i++)
    {
      runs[i].context = g_main_context_new ();
      threads[i] = g_thread_new ("timers", run_in_thread, &runs[i]);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (runs[i].owner.calls, ==, 1);
      g_assert_true (runs[i].owner.thread == runs[i].thread);
      g_assert_true (runs[i].timers != main_timers);
      any_timers_unref (runs[i].timers);
      g_main_context_unref (runs[i].context);
    }
  g_assert_true (runs[0].thread != runs[1].thread);
  /* Nobody ran the default context yet. */
  g_assert_cmpuint (here.calls, ==, 0);
  run_timers (NULL, main_timers);
  g_assert_cmpuint (here.calls, ==, 1);
  g_assert_true (here.thread == g_thread_self ());
}

static gboolean
accept_peer (gpointer user_data, const char *peer_id, JsonObject *auth, char **reason)
{
  return TRUE;
}

static const AnyEngineCallbacks engine_callbacks = { .authenticate = accept_peer };

#define N_ENGINES 40
#define BEAT_MS 1000

/* Links that became connected a few ms apart, within one or two ticks,
 * send their first ping in as many passes as ticks they spanned (with a
 * timer each, they pinged in as many passes as milliseconds). */
static void
test_heartbeats_in_one_pass (void)
{
  FakeTransport *transports[N_ENGINES];
  AnyEngine *engines[N_ENGINES];
  gboolean pinged[N_ENGINES] = { FALSE };
  AnyEngineConfig config = {
    .local_id = "aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa",
    .heartbeat_interval_ms = BEAT_MS,
    .max_message_size = 1024 * 1024,
    .max_partials = 4,
  };
  const char *auth = "{\"id\":\"bbbbbbbbbbbb4bbb8bbbbbbbbbbbbbbb\"}";
  g_autoptr(GPtrArray) frames = any_chunk_split (ANY_PACKET_TYPE_AUTH, 1, auth, strlen (auth),
                                                 ANY_CHUNK_MAX_UNITS);
  gint64 tick = any_timer_coarse_step (BEAT_MS), first = 0, last = 0, end;
  guint n_pinged = 0, passes = 0, ticks;

  for (guint i = 0; i < N_ENGINES; i++)
    {
      g_autoptr(GBytes) sent = NULL;
      gsize len;
      const void *data = g_bytes_get_data (frames->pdata[0], &len);

      transports[i] = fake_transport_new ();
      engines[i] = any_engine_new (ANY_ENGINE_ROLE_CLIENT, ANY_TRANSPORT (transports[i]),
                                   &engine_callbacks, NULL);
      any_engine_start (engines[i], &config);
      sent = fake_transport_pop_sent (transports[i]);   /* our AUTH */
      g_assert_nonnull (sent);
      if (i == 0)
        first = g_get_monotonic_time ();
      fake_transport_receive (transports[i], data, len);
      last = g_get_monotonic_time ();
      g_assert_cmpint (any_engine_get_state (engines[i]), ==, ANY_ENGINE_STATE_CONNECTED);
      g_usleep (250);   /* 40 links over 10 ms or more */
    }
  /* The ticks their first heartbeats fall into. */
  ticks = (guint) ((last + BEAT_MS * 1000 + tick - 1) / tick - (first + BEAT_MS * 1000 + tick - 1) / tick + 1);

  end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (n_pinged < N_ENGINES && g_get_monotonic_time () < end)
    {
      guint before = n_pinged;

      g_main_context_iteration (NULL, TRUE);
      for (guint i = 0; i < N_ENGINES; i++)
        if (!pinged[i] && fake_transport_get_sent (transports[i])->len > 0)
          {
            pinged[i] = TRUE;
            n_pinged++;
          }
      if (n_pinged > before)
        passes++;
    }
  g_test_message ("%u links connected over %" G_GINT64_FORMAT " us pinged in %u passes (%u ticks)",
                  N_ENGINES, last - first, passes, ticks);
  g_assert_cmpuint (n_pinged, ==, N_ENGINES);
  g_assert_cmpuint (passes, <=, ticks);

  for (guint i = 0; i < N_ENGINES; i++)
    {
      any_engine_free (engines[i]);
      g_object_unref (transports[i]);
    }
}

/* The sources attached to @context, by name. Source ids are global and
 * increasing: every id up to a new source's is looked at. */
static GHashTable *
count_sources (GMainContext *context,
               guint        *total)
{
  GHashTable *by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GSource *probe = g_idle_source_new ();
  guint last = g_source_attach (probe, context);

  g_source_destroy (probe);
  g_source_unref (probe);
  *total = 0;
  for (guint id = 1; id < last; id++)
    {
      GSource *source = g_main_context_find_source_by_id (context, id);
      const char *name;

      if (source == NULL || g_source_is_destroyed (source))
        continue;
      name = g_source_get_name (source) != NULL ? g_source_get_name (source) : "(unnamed)";
      g_hash_table_insert (by_name, g_strdup (name),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (by_name, name)) + 1));
      (*total)++;
    }
  return by_name;
}

static void
print_sources (const char *when,
               GHashTable *by_name,
               guint       total)
{
  GHashTableIter iter;
  gpointer name, count;

  g_test_message ("%s: %u sources", when, total);
  g_hash_table_iter_init (&iter, by_name);
  while (g_hash_table_iter_next (&iter, &name, &count))
    g_test_message ("  %5u %s", GPOINTER_TO_UINT (count), (const char *) name);
}

#define N_IDLE_PEERS 200

/* 200 idle peers of one server, all in this context, after a request each
 * (which used to leave a reply timer per link): the timers add one
 * source, not one per peer. */
static void
test_idle_peers_have_no_source (void)
{
  g_autoptr(AnySocket) server = any_socket_new ();
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) before = NULL, after = NULL;
  g_autoptr(AnyTimers) timers = NULL;
  guint port, total_before, total_after;
  GList *server_peers;

  g_signal_connect (server, "message", G_CALLBACK (echo_message), NULL);
  port = listen_local (server);
  drain ();
  before = count_sources (NULL, &total_before);
  print_sources ("listening", before, total_before);

  for (guint i = 0; i < N_IDLE_PEERS; i++)
    {
      AnySocket *client = any_socket_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) msg = json_checked ("{\"n\":1}");
      g_autoptr(AnyPacket) reply = NULL;
      AnyPeer *peer;

      g_ptr_array_add (clients, client);
      peer = connect_local (client, port, &error);
      g_assert_no_error (error);
      g_ptr_array_add (peers, peer);
      reply = request_local (peer, msg, 10000, &error);
      g_assert_no_error (error);
    }
  server_peers = any_socket_get_peers (server);
  g_assert_cmpuint (g_list_length (server_peers), ==, N_IDLE_PEERS);
  g_list_free (server_peers);
  iterate_for (200);
  after = count_sources (NULL, &total_after);
  print_sources ("idle", after, total_after);

  /* Nothing of ours is per peer; what is left per connection is GIO's
   * and libsoup's socket sources, which the transport owns. */
  {
    GHashTableIter iter;
    gpointer name, count;

    g_hash_table_iter_init (&iter, after);
    while (g_hash_table_iter_next (&iter, &name, &count))
      if (g_str_has_prefix (name, "[anysocket]"))
        g_assert_cmpuint (GPOINTER_TO_UINT (count), <, 4);
  }
  /* Every peer's heartbeat, on both sides, is armed, in one source. */
  timers = any_timers_get_for_context (NULL);
  g_assert_cmpuint (any_timers_get_n_armed (timers), >=, 2 * N_IDLE_PEERS);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (after, "[anysocket] timers")), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/timers/order", test_order);
  g_test_add_func ("/timers/many-random", test_many_random);
  g_test_add_func ("/timers/many-random-coarse", test_many_random_coarse);
  g_test_add_func ("/timers/cancel-in-callback", test_cancel_in_callback);
  g_test_add_func ("/timers/rearm-in-callback", test_rearm_in_callback);
  g_test_add_func ("/timers/same-tick", test_same_tick);
  g_test_add_func ("/timers/owner-freed-in-dispatch", test_owner_freed_in_dispatch);
  g_test_add_func ("/timers/thread-default", test_thread_default);
  g_test_add_func ("/timers/heartbeats-in-one-pass", test_heartbeats_in_one_pass);
  g_test_add_func ("/timers/idle-peers-have-no-source", test_idle_peers_have_no_source);
  return g_test_run ();
}
