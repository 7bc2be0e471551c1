/* healthy-client.h: a well-behaved libanysocket client that keeps a few
 * requests in flight to an echoing server and counts what comes back:
 * the witness that abuse of the same server costs its other peers
 * nothing
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <anysocket.h>

G_BEGIN_DECLS

/* The server answers each request {"n": N, ...} with {"echo": request}. */
typedef struct {
  AnySocket  *socket;
  AnyPeer    *peer;
  char       *id;
  char       *disconnect_reason;  /* the first AnySocket::disconnected */
  gboolean    pumping;
  guint       sent;
  guint       replied;            /* with the echo of its own request */
  guint       failed;
  guint       mismatched;         /* answered with something else */
  guint       in_flight;
  gint64      slowest_reply_us;   /* since created, or since reset by the caller */
  GPtrArray  *in_flight_requests; /* HealthyRequest, not owned */
} HealthyClient;

/* A client (its id known at once) whose socket beats every
 * @heartbeat_ms; healthy_client_connect() links it to the server at
 * @uri, which must accept. */
HealthyClient *healthy_client_new               (guint          heartbeat_ms);
void           healthy_client_connect           (HealthyClient *healthy,
                                                 const char    *uri);
/* Starts or stops keeping requests in flight (stopping lets those in
 * flight finish). */
void           healthy_client_pump              (HealthyClient *healthy,
                                                 gboolean       pumping);
/* The longest it waited for a reply, counting the requests still
 * waiting. */
gint64         healthy_client_slowest_reply_us  (HealthyClient *healthy);
void           healthy_client_free              (HealthyClient *healthy);

G_END_DECLS
