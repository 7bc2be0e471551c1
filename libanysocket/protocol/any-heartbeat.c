/* any-heartbeat.c: the engine's heartbeat (PROTOCOL.md 5)
 *
 * Once connected, every heartbeat-interval the engine pings if anything
 * came in since the last tick (or earlier, with the pong to the peer's
 * ping: ping_along()), and gives up after MISSED_HEARTBEATS_LIMIT silent
 * ticks; a pong measures the lag. The tick is a coarse timer of
 * the context's shared AnyTimers (late by at most a sixteenth of the
 * interval): the peers due in the same step ping in one pass, and an idle
 * peer has no GSource.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "protocol/any-engine.h"
#include "protocol/any-engine-private.h"

#define HEARTBEAT_PING 1
#define HEARTBEAT_PONG 2
#define MISSED_HEARTBEATS_LIMIT 2

static void
send_heartbeat (AnyEngine *self,
                gint64     value)
{
  any_engine_send_control_text (self, ANY_PACKET_TYPE_HEARTBEAT, value == HEARTBEAT_PING ? "1" : "2");
}

static void
send_ping (AnyEngine *self)
{
  self->received_since_tick = FALSE;
  self->tick_moved = FALSE;
  self->missed_heartbeats = 0;
  /* Keep the oldest unanswered ping's time: its pong comes first. */
  if (self->ping_sent_at == 0)
    self->ping_sent_at = g_get_monotonic_time ();
  send_heartbeat (self, HEARTBEAT_PING);
}

void
any_engine_on_heartbeat_tick (AnyTimer *timer,
                              gpointer  user_data)
{
  AnyEngine *self = user_data;

  any_engine_enter (self);
  /* Armed again first: failing below cancels it. */
  any_timer_arm_coarse_ms (timer, self->heartbeat_interval_ms);
  if (self->received_since_tick)
    {
      send_ping (self);
    }
  else if (++self->missed_heartbeats >= MISSED_HEARTBEATS_LIMIT)
    {
      any_engine_fail (self, "Missed Heartbeats");
    }
  any_engine_leave (self);
}

void
any_engine_start_heartbeat (AnyEngine *self)
{
  any_timer_cancel (&self->heartbeat_timer);
  self->missed_heartbeats = 0;
  self->tick_moved = FALSE;
  if (self->heartbeat_interval_ms > 0 && self->state == ANY_ENGINE_STATE_CONNECTED)
    any_timer_arm_coarse_ms (&self->heartbeat_timer, self->heartbeat_interval_ms);
}

void
any_engine_set_heartbeat_interval (AnyEngine *self,
                                   guint      interval_ms)
{
  if (self->heartbeat_interval_ms == interval_ms)
    return;
  self->heartbeat_interval_ms = interval_ms;
  any_engine_start_heartbeat (self);
}

/* The peer's ping came in and ours is due within half an interval: ours
 * goes now, in the same write as the pong, and the tick starts again.
 * Two peers' heartbeats thus fall into step: three frames per interval
 * instead of four, and a hub's idle cost follows (issue 14: 10,000 idle
 * peers at a 5 s heartbeat, each frame one more write or read).
 *
 * If ours went less than half an interval ago, the tick moves to an
 * interval from now, once per ping of ours: the peer's next ping then
 * comes before it and takes ours along. Without the move, our coarse
 * tick (rounded up by at most a sixteenth of the interval) caught up
 * with a peer a little behind it by 128 ms a turn on average: at 10,000
 * peers, 30 s after they connected, 40% still pinged on their own (7,996
 * ticks and 20,000 pings in 10 s; with the move, 440 ticks). The move
 * makes our interval at most 1.5 times the setting once; the peer hears
 * from us (its pong) at every one of its pings meanwhile. */
static void
ping_along (AnyEngine *self)
{
  gint64 deadline = any_timer_get_deadline (&self->heartbeat_timer);
  gint64 half = (gint64) self->heartbeat_interval_ms * 500;

  if (deadline < 0)
    return;
  if (deadline - any_timers_now (self->timers) <= half)
    {
      any_timer_arm_coarse_ms (&self->heartbeat_timer, self->heartbeat_interval_ms);
      send_ping (self);
    }
  else if (!self->tick_moved)
    {
      self->tick_moved = TRUE;
      any_timer_arm_coarse_ms (&self->heartbeat_timer, self->heartbeat_interval_ms);
    }
}

void
any_engine_handle_heartbeat (AnyEngine *self,
                             JsonNode  *node)
{
  gint64 value = JSON_NODE_HOLDS_VALUE (node) &&
                 json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : 0;

  if (value == HEARTBEAT_PING)
    {
      send_heartbeat (self, HEARTBEAT_PONG);
      ping_along (self);
    }
  else if (value == HEARTBEAT_PONG)
    {
      if (self->ping_sent_at != 0)
        {
          gint64 lag_us = g_get_monotonic_time () - self->ping_sent_at;

          self->ping_sent_at = 0;
          if (self->callbacks->heartbeat != NULL)
            self->callbacks->heartbeat (self->user_data, (int) MIN (lag_us / 1000, G_MAXINT));
        }
    }
  else
    {
      any_engine_fail (self, "Invalid HEARTBEAT packet");
    }
}
