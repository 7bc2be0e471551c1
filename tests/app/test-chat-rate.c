/* test-chat-rate.c: the flood limits' token buckets (chat-rate.c)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "chat-rate.h"

#define SECOND ((gint64) G_USEC_PER_SEC)

/* A burst goes through whole, the next one is dropped and said once,
 * and time lets the key through again at the set rate. */
static void
test_burst_then_rate (void)
{
  g_autoptr(ChatRate) rate = chat_rate_new (5, 20, 16);
  gint64 now = 1000 * SECOND;

  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_OK);
  g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_DROP_FIRST);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_DROP);

  /* 1 s later: 5 more, not 6; the flood goes on, so it is not told
   * again */
  now += SECOND;
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_OK);
  g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_DROP);

  /* a long pause refills to the burst, never beyond */
  now += 3600 * SECOND;
  for (guint i = 0; i < 20; i++)
    g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_OK);
  g_assert_cmpint (chat_rate_take (rate, "a", 1, now), ==, CHAT_RATE_DROP_FIRST);
}

/* Keys do not share a bucket; a cost counts as that many tokens. */
static void
test_keys_and_costs (void)
{
  g_autoptr(ChatRate) rate = chat_rate_new (512, 65536, 16);
  gint64 now = SECOND;

  g_assert_cmpint (chat_rate_take (rate, "flooder", 65536, now), ==, CHAT_RATE_OK);
  g_assert_cmpint (chat_rate_take (rate, "flooder", 100, now), ==, CHAT_RATE_DROP_FIRST);
  g_assert_cmpint (chat_rate_take (rate, "healthy", 100, now), ==, CHAT_RATE_OK);
  now += SECOND / 4;   /* 128 tokens back */
  g_assert_cmpint (chat_rate_take (rate, "flooder", 100, now), ==, CHAT_RATE_OK);
  g_assert_cmpint (chat_rate_take (rate, "flooder", 100, now), ==, CHAT_RATE_DROP);
  now += 128 * SECOND;   /* quiet long enough to refill: the next flood is told */
  g_assert_cmpint (chat_rate_take (rate, "flooder", 65536, now), ==, CHAT_RATE_OK);
  g_assert_cmpint (chat_rate_take (rate, "flooder", 1, now), ==, CHAT_RATE_DROP_FIRST);
}

/* Made-up keys cannot grow the table; an idle key is forgotten before
 * a key that is being limited, so a flood of new ids does not reset
 * the flooder's bucket. */
static void
test_bounded_keys (void)
{
  g_autoptr(ChatRate) rate = chat_rate_new (1, 2, 8);
  gint64 now = SECOND;

  g_assert_cmpint (chat_rate_take (rate, "flooder", 2, now), ==, CHAT_RATE_OK);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *key = g_strdup_printf ("made-up-%u", i);

      g_assert_cmpint (chat_rate_take (rate, key, 1, now), ==, CHAT_RATE_OK);
      g_assert_cmpuint (chat_rate_size (rate), <=, 8);
      if (i % 4 == 0)
        g_assert_cmpint (chat_rate_take (rate, "flooder", 1, now), !=, CHAT_RATE_OK);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chat-rate/burst-then-rate", test_burst_then_rate);
  g_test_add_func ("/chat-rate/keys-and-costs", test_keys_and_costs);
  g_test_add_func ("/chat-rate/bounded-keys", test_bounded_keys);
  return g_test_run ();
}
