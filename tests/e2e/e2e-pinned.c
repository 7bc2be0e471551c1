/* e2e-pinned.c: a peer id whose native key is pinned is accepted only
 * with that key (DESIGN.md, "Trust rules"): a relay that strips "caps"
 * from the AUTH packets to play compat in the middle, a client that
 * claims the id of a pinned peer reached through a hub, and the owner of
 * the key replacing that proxied link. Beside each attack a healthy peer
 * talks to the victim and must lose nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "e2e.h"
#include "protocol/any-caps.h"
#include "raw-client.h"
#include "api/any-socket-private.h"

#define HEALTHY_COUNT 20

/* What AnySocket::untrusted reported on one socket. */
typedef struct {
  GPtrArray *ids;
  GPtrArray *reasons;
} Untrusted;

static void
on_untrusted (AnySocket  *socket,
              const char *peer_id,
              const char *reason,
              gpointer    user_data)
{
  Untrusted *u = user_data;

  g_ptr_array_add (u->ids, g_strdup (peer_id));
  g_ptr_array_add (u->reasons, g_strdup (reason));
}

static Untrusted *
untrusted_watch (AnySocket *socket)
{
  Untrusted *u = g_new0 (Untrusted, 1);

  u->ids = g_ptr_array_new_with_free_func (g_free);
  u->reasons = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (socket, "untrusted", G_CALLBACK (on_untrusted), u);
  return u;
}

static void
untrusted_free (AnySocket *socket,
                Untrusted *u)
{
  g_signal_handlers_disconnect_by_data (socket, u);
  g_ptr_array_unref (u->ids);
  g_ptr_array_unref (u->reasons);
  g_free (u);
}

/* A healthy peer, linked directly (and pinned both ways) to @victim,
 * which numbers what it sends and checks what it gets. */
typedef struct {
  AnySocket *socket;
  AnySocket *victim;
  AnyPeer   *peer;       /* its link to the victim */
  guint      sent;
  guint      received;   /* numbered messages from the victim, in order */
  guint      victim_sent;
} Healthy;

static void
on_healthy_message (AnySocket *socket,
                    AnyPacket *packet,
                    gpointer   user_data)
{
  Healthy *h = user_data;
  JsonNode *msg = any_packet_get_msg (packet);

  if (g_strcmp0 (msg_string (msg, "from"), "victim") != 0)
    return;
  g_assert_cmpint (msg_int (msg, "n"), ==, h->received);
  h->received++;
}

static Healthy *
healthy_new (AnySocket *victim,
             guint      port)
{
  Healthy *h = g_new0 (Healthy, 1);
  g_autofree char *fp = NULL;
  g_autofree char *victim_fp = any_socket_dup_fingerprint (victim);
  g_autoptr(GError) error = NULL;

  h->socket = any_socket_new ();
  h->victim = g_object_ref (victim);
  any_socket_set_heartbeat_interval (h->socket, 0);
  fp = any_socket_dup_fingerprint (h->socket);
  any_socket_pin_fingerprint (victim, any_socket_get_id (h->socket), fp);
  any_socket_pin_fingerprint (h->socket, any_socket_get_id (victim), victim_fp);
  g_signal_connect (h->socket, "message", G_CALLBACK (on_healthy_message), h);
  h->peer = connect_local (h->socket, port, &error);
  g_assert_no_error (error);
  /* Pinned both ways: connected means proven (does nothing then), and
   * the victim's side may finish its half of the switch a moment later. */
  any_peer_e2e (h->peer);
  WAIT_UNTIL (any_peer_get_e2e_mode (h->peer) == ANY_E2E_MODE_NATIVE &&
              any_socket_get_peer (victim, any_socket_get_id (h->socket)) != NULL);
  g_assert_cmpint (any_peer_get_e2e_mode (h->peer), ==, ANY_E2E_MODE_NATIVE);
  return h;
}

/* A few messages each way, while whatever else goes on. */
static void
healthy_talk (Healthy *h,
              guint    count)
{
  AnyPeer *back = any_socket_get_peer (h->victim, any_socket_get_id (h->socket));

  g_assert_nonnull (back);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(JsonNode) to = json_printf ("{\"from\":\"healthy\",\"n\":%u}", h->sent++);
      g_autoptr(JsonNode) from = json_printf ("{\"from\":\"victim\",\"n\":%u}", h->victim_sent++);

      g_assert_true (any_peer_send (h->peer, to, NULL));
      g_assert_true (any_peer_send (back, from, NULL));
    }
}

/* Everything arrived, once, in order (@victim_side records the victim's
 * messages), and the link is still up. */
static void
healthy_check_free (Healthy *h,
                    Side    *victim_side)
{
  WAIT_UNTIL (h->received == h->victim_sent &&
              (victim_side == NULL || count_from (victim_side, "healthy") == h->sent));
  if (victim_side != NULL)
    check_numbered (victim_side, "healthy", h->sent);
  g_assert_cmpuint (h->received, ==, h->victim_sent);
  g_assert_true (any_peer_is_connected (h->peer));
  any_socket_stop (h->socket);
  drain ();
  g_clear_object (&h->peer);
  g_clear_object (&h->socket);
  g_clear_object (&h->victim);
  g_free (h);
}

/* 7a-c. A relay strips "caps" from both AUTH packets */

typedef enum {
  STRIP_BOTH_PIN,
  STRIP_CLIENT_PINS,
  STRIP_SERVER_PINS,
  STRIP_NONE_PINS,
} Strip;

static void
test_stripped (gconstpointer data)
{
  Strip variant = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);
  const char *client_id = any_socket_get_id (pair->client.socket);
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);
  Untrusted *server_untrusted = untrusted_watch (pair->server.socket);
  Untrusted *client_untrusted = untrusted_watch (pair->client.socket);
  g_autofree char *uri = NULL;
  Healthy *healthy = healthy_new (pair->server.socket, pair->port);
  AsyncResult r = { 0 };

  if (variant == STRIP_BOTH_PIN || variant == STRIP_CLIENT_PINS)
    any_socket_pin_fingerprint (pair->client.socket, server_id, server_fp);
  if (variant == STRIP_BOTH_PIN || variant == STRIP_SERVER_PINS)
    any_socket_pin_fingerprint (pair->server.socket, client_id, client_fp);

  pair->relay = relay_new (pair->port);
  pair->relay->strip_caps[C2S] = TRUE;
  pair->relay->strip_caps[S2C] = TRUE;
  healthy_talk (healthy, HEALTHY_COUNT / 2);

  if (variant == STRIP_NONE_PINS)
    {
      /* Nobody pinned: compat, as with a JavaScript peer, and as before. */
      pair_connect (pair, TRUE);
      g_assert_cmpstr (pair->relay->client_caps, ==, ANY_E2E_CAPS_LOCAL);
      any_peer_e2e (pair->client.peer);
      send_numbered (&pair->client, 0);
      healthy_talk (healthy, HEALTHY_COUNT / 2);
      WAIT_UNTIL (pair->client.socket_e2e == 1 && pair->server.socket_e2e == 1);
      g_assert_cmpint (pair->client.mode_at_e2e, ==, ANY_E2E_MODE_COMPAT);
      g_assert_cmpint (pair->server.mode_at_e2e, ==, ANY_E2E_MODE_COMPAT);
      WAIT_UNTIL (count_from (&pair->server, "client") == 1);
      g_assert_cmpuint (server_untrusted->ids->len + client_untrusted->ids->len, ==, 0);
      goto out;
    }

  uri = g_strdup_printf ("ws://127.0.0.1:%u", pair->relay->port);
  any_socket_connect_async (pair->client.socket, uri, NULL, on_connected, &r);
  healthy_talk (healthy, HEALTHY_COUNT / 2);
  WAIT_UNTIL (r.done);
  g_assert_null (r.peer);
  g_assert_nonnull (r.error);
  g_test_message ("client: %s", r.error->message);

  /* The side that pinned refused the link at once, naming the peer. */
  if (variant == STRIP_CLIENT_PINS)
    {
      WAIT_UNTIL (client_untrusted->ids->len == 1);
      g_assert_cmpstr (g_ptr_array_index (client_untrusted->ids, 0), ==, server_id);
      assert_contains (g_ptr_array_index (client_untrusted->reasons, 0), server_id);
      assert_contains (g_ptr_array_index (client_untrusted->reasons, 0), "pinned to a native key");
      assert_contains (g_ptr_array_index (client_untrusted->reasons, 0), "offered no native E2E");
      assert_contains (r.error->message, server_id);
      /* The server pinned nothing: it saw a plain link come and go. */
      WAIT_UNTIL (pair->server.socket_reason != NULL);
      g_assert_cmpuint (server_untrusted->ids->len, ==, 0);
    }
  else
    {
      /* The server refused the client's AUTH; the client never got one. */
      WAIT_UNTIL (server_untrusted->ids->len == 1);
      g_assert_cmpstr (g_ptr_array_index (server_untrusted->ids, 0), ==, client_id);
      assert_contains (g_ptr_array_index (server_untrusted->reasons, 0), client_id);
      assert_contains (g_ptr_array_index (server_untrusted->reasons, 0), "pinned to a native key");
      assert_contains (r.error->message, client_id);
      assert_contains (r.error->message, "pinned to a native key");
      g_assert_null (pair->server.peer);
    }
  g_assert_null (pair->client.peer);
  g_clear_error (&r.error);

  /* Nothing was switched, nothing was said: the relay read nothing. */
  iterate_for (QUIET_MS);
  g_assert_cmpuint (pair->client.socket_e2e + pair->server.socket_e2e, ==, 0);
  for (Dir dir = C2S; dir <= S2C; dir++)
    {
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[dir], 0, ANY_PACKET_TYPE_SWITCH), ==, 0);
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[dir], 0, ANY_PACKET_TYPE_LINK), ==, 0);
      g_assert_cmpuint (count_frames_of_type (pair->relay->seen[dir], 0, ANY_PACKET_TYPE_INTERNAL), ==, 0);
    }
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);

out:
  healthy_check_free (healthy, &pair->server);
  untrusted_free (pair->server.socket, server_untrusted);
  untrusted_free (pair->client.socket, client_untrusted);
  pair_free (pair);
}

/* 7d-e. Id takeover: the owner of a pinned key is reached through a hub */

typedef struct {
  AnySocket *hub;
  AnySocket *victim;     /* pinned the owner's key, reaches it through hub */
  AnySocket *owner;
  guint      victim_port;
  AnyPeer   *proxied;    /* the victim's link to the owner, through hub */
  Untrusted *untrusted;
  GPtrArray *replaced;   /* reasons of the victim's links to the owner's id that closed */
  GPtrArray *victim_got; /* messages the victim received, JsonNode */
  Healthy   *healthy;
} Takeover;

static void
on_owner_message (AnySocket *socket,
                  AnyPacket *packet,
                  gpointer   user_data)
{
  JsonNode *msg = any_packet_get_msg (packet);

  if (msg_member (msg, "req") != NULL)
    g_assert_true (any_packet_reply (packet, msg, NULL));
}

static void
on_victim_message (AnySocket *socket,
                   AnyPacket *packet,
                   gpointer   user_data)
{
  Takeover *t = user_data;

  g_ptr_array_add (t->victim_got, json_node_ref (any_packet_get_msg (packet)));
}

static void
on_victim_disconnected (AnySocket  *socket,
                        AnyPeer    *peer,
                        const char *reason,
                        gpointer    user_data)
{
  Takeover *t = user_data;

  if (g_strcmp0 (any_peer_get_id (peer), any_socket_get_id (t->owner)) == 0)
    g_ptr_array_add (t->replaced, g_strdup (reason));
}

static AnySocket *
quiet_socket (void)
{
  AnySocket *socket = any_socket_new ();

  any_socket_set_heartbeat_interval (socket, 0);
  return socket;
}

static Takeover *
takeover_new (void)
{
  Takeover *t = g_new0 (Takeover, 1);
  g_autofree char *owner_fp = NULL;
  g_autoptr(AnyPeer) victim_to_hub = NULL;
  g_autoptr(AnyPeer) owner_to_hub = NULL;
  g_autoptr(GError) error = NULL;
  guint hub_port;

  t->hub = quiet_socket ();
  t->victim = quiet_socket ();
  t->owner = quiet_socket ();
  t->replaced = g_ptr_array_new_with_free_func (g_free);
  t->victim_got = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_signal_connect (t->hub, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  g_signal_connect (t->owner, "message", G_CALLBACK (on_owner_message), NULL);
  g_signal_connect (t->victim, "message", G_CALLBACK (on_victim_message), t);
  g_signal_connect (t->victim, "disconnected", G_CALLBACK (on_victim_disconnected), t);
  t->untrusted = untrusted_watch (t->victim);

  owner_fp = any_socket_dup_fingerprint (t->owner);
  any_socket_pin_fingerprint (t->victim, any_socket_get_id (t->owner), owner_fp);

  hub_port = listen_local (t->hub);
  victim_to_hub = connect_local (t->victim, hub_port, &error);
  g_assert_no_error (error);
  owner_to_hub = connect_local (t->owner, hub_port, &error);
  g_assert_no_error (error);
  t->proxied = proxy_local (t->victim, any_socket_get_id (t->owner), victim_to_hub, &error);
  g_assert_no_error (error);
  any_peer_e2e (t->proxied);
  WAIT_UNTIL (any_peer_get_e2e_mode (t->proxied) == ANY_E2E_MODE_NATIVE);
  g_assert_cmpint (any_peer_get_e2e_mode (t->proxied), ==, ANY_E2E_MODE_NATIVE);

  t->victim_port = listen_local (t->victim);
  t->healthy = healthy_new (t->victim, t->victim_port);
  return t;
}

/* The proxied link is the victim's link to the owner's id, and the owner
 * still answers through it. */
static void
assert_proxied_stays (Takeover *t)
{
  g_autoptr(JsonNode) msg = json_printf ("{\"req\":1,\"from\":\"victim\"}");
  g_autoptr(AnyPacket) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (any_peer_is_connected (t->proxied));
  g_assert_true (any_socket_get_peer (t->victim, any_socket_get_id (t->owner)) == t->proxied);
  reply = request_local (t->proxied, msg, WAIT_MS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (msg_int (any_packet_get_msg (reply), "req"), ==, 1);
  g_assert_cmpuint (t->replaced->len, ==, 0);
}

static void
takeover_free (Takeover *t)
{
  healthy_check_free (t->healthy, NULL);
  g_assert_cmpuint (count_from_messages (t->victim_got, "healthy"), ==, HEALTHY_COUNT);
  untrusted_free (t->victim, t->untrusted);
  any_socket_stop (t->owner);
  any_socket_stop (t->victim);
  any_socket_stop (t->hub);
  drain ();
  g_signal_handlers_disconnect_by_data (t->victim, t);
  g_clear_object (&t->proxied);
  g_clear_object (&t->owner);
  g_clear_object (&t->victim);
  g_clear_object (&t->hub);
  g_ptr_array_unref (t->replaced);
  g_ptr_array_unref (t->victim_got);
  g_free (t);
}

/* Claims @id (with @caps as AUTH's "caps", or none) from a raw client,
 * says something in its name, and waits to be thrown out: returns the
 * close reason. */
static char *
raw_claim (guint       port,
           const char *id,
           const char *caps)
{
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/", port);
  g_autofree char *auth = g_strdup_printf ("{\"id\":\"%s\"%s%s}", id, caps ? ",\"caps\":" : "", caps ? caps : "");
  RawClient *raw = raw_client_connect (uri);
  char *reason;

  raw_send (raw, LAST, T_AUTH, 1, auth);
  raw_send (raw, LAST, T_LINK, 2, "{\"from\":\"attacker\",\"text\":\"" MARKER "\"}");
  WAIT_UNTIL (raw->closed);
  reason = g_strdup (raw->close_reason);
  raw_client_free (raw);
  return reason;
}

typedef enum {
  CLAIM_NO_CAPS,       /* a plain AUTH with the owner's id */
  CLAIM_NATIVE_CAPS,   /* offers native E2E, then talks in the clear */
  CLAIM_OTHER_KEY,     /* a libanysocket peer with the owner's id and its own key */
} Claim;

static void
test_takeover_refused (gconstpointer data)
{
  Claim claim = GPOINTER_TO_INT (data);
  Takeover *t = takeover_new ();
  const char *owner_id = any_socket_get_id (t->owner);
  g_autofree char *reason = NULL;

  healthy_talk (t->healthy, HEALTHY_COUNT / 2);
  if (claim == CLAIM_OTHER_KEY)
    {
      g_autoptr(AnySocket) impostor = quiet_socket ();
      g_autoptr(GError) error = NULL;
      g_autoptr(AnyPeer) peer = NULL;
      g_autofree char *victim_fp = any_socket_dup_fingerprint (t->victim);

      /* It pins the victim's key too: its connect ends with the switch. */
      _any_socket_set_id_for_testing (impostor, owner_id);
      any_socket_pin_fingerprint (impostor, any_socket_get_id (t->victim), victim_fp);
      peer = connect_local (impostor, t->victim_port, &error);
      /* As the switch's initiator it may finish first (XX shows the
       * responder the initiator's key in the last message): then the
       * victim closes the link a moment later. */
      if (peer != NULL)
        {
          WAIT_UNTIL (!any_peer_is_connected (peer));
          WAIT_UNTIL (t->untrusted->ids->len == 1);
          reason = g_strdup (g_ptr_array_index (t->untrusted->reasons, 0));
        }
      else
        reason = g_strdup (error->message);
      any_socket_stop (impostor);
    }
  else
    reason = raw_claim (t->victim_port, owner_id,
                        claim == CLAIM_NATIVE_CAPS ? "{\"v\":1,\"e2e\":[\"noise-xx\"]}" : NULL);
  healthy_talk (t->healthy, HEALTHY_COUNT / 2);
  g_test_message ("impostor: %s", reason);
  assert_contains (reason, owner_id);

  WAIT_UNTIL (t->untrusted->ids->len == 1);
  g_assert_cmpstr (g_ptr_array_index (t->untrusted->ids, 0), ==, owner_id);
  g_test_message ("victim: %s", (char *) g_ptr_array_index (t->untrusted->reasons, 0));
  assert_contains (g_ptr_array_index (t->untrusted->reasons, 0), owner_id);
  if (claim == CLAIM_NO_CAPS)
    assert_contains (g_ptr_array_index (t->untrusted->reasons, 0), "offered no native E2E");
  else if (claim == CLAIM_NATIVE_CAPS)
    assert_contains (g_ptr_array_index (t->untrusted->reasons, 0), "sent a plain LINK packet");
  else
    assert_contains (g_ptr_array_index (t->untrusted->reasons, 0), "changed");

  iterate_for (QUIET_MS);
  assert_proxied_stays (t);
  g_assert_cmpuint (count_from_messages (t->victim_got, "attacker"), ==, 0);
  takeover_free (t);
}

/* The owner connects directly with its key: the direct link replaces the
 * proxied one once it proved the key; nothing sent either way is lost.
 * Then an impostor meets the direct link: a duplicate id, refused. */
static void
test_takeover_by_owner (void)
{
  Takeover *t = takeover_new ();
  const char *owner_id = any_socket_get_id (t->owner);
  g_autofree char *victim_fp = any_socket_dup_fingerprint (t->victim);
  g_autofree char *reason = NULL;
  g_autoptr(AnyPeer) direct = NULL;
  g_autoptr(GError) error = NULL;
  AnyPeer *owner_to_victim;

  /* The owner pinned the victim too (as anychat does both ways): its
   * link is connected on its side once proven as well. */
  any_socket_pin_fingerprint (t->owner, any_socket_get_id (t->victim), victim_fp);
  owner_to_victim = any_socket_get_peer (t->owner, any_socket_get_id (t->victim));
  g_assert_nonnull (owner_to_victim);
  g_assert_true (any_peer_is_proxy (owner_to_victim));
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(JsonNode) msg = json_printf ("{\"from\":\"owner\",\"n\":%u}", i);

      g_assert_true (any_peer_send (owner_to_victim, msg, NULL));
    }
  WAIT_UNTIL (count_from_messages (t->victim_got, "owner") == 5);

  healthy_talk (t->healthy, HEALTHY_COUNT / 2);
  direct = connect_local (t->owner, t->victim_port, &error);
  g_assert_no_error (error);
  g_assert_nonnull (direct);
  g_assert_false (any_peer_is_proxy (direct));
  g_assert_cmpint (any_peer_get_e2e_mode (direct), ==, ANY_E2E_MODE_NATIVE);
  for (guint i = 5; i < 10; i++)
    {
      g_autoptr(JsonNode) msg = json_printf ("{\"from\":\"owner\",\"n\":%u}", i);

      g_assert_true (any_peer_send (direct, msg, NULL));
    }

  /* The victim's side: replaced once proven, by a native link. */
  WAIT_UNTIL (t->replaced->len == 1);
  g_assert_cmpstr (g_ptr_array_index (t->replaced, 0), ==, "Replaced by a direct link");
  g_assert_false (any_peer_is_connected (t->proxied));
  {
    AnyPeer *now = any_socket_get_peer (t->victim, owner_id);
    g_autofree char *seen = NULL;
    g_autofree char *owner_fp = any_socket_dup_fingerprint (t->owner);

    g_assert_nonnull (now);
    g_assert_false (any_peer_is_proxy (now));
    g_assert_cmpint (any_peer_get_e2e_mode (now), ==, ANY_E2E_MODE_NATIVE);
    seen = any_peer_dup_remote_fingerprint (now);
    g_assert_cmpstr (seen, ==, owner_fp);
  }
  WAIT_UNTIL (count_from_messages (t->victim_got, "owner") == 10);
  for (guint i = 0, n = 0; i < t->victim_got->len; i++)
    if (g_strcmp0 (msg_string (g_ptr_array_index (t->victim_got, i), "from"), "owner") == 0)
      g_assert_cmpint (msg_int (g_ptr_array_index (t->victim_got, i), "n"), ==, n++);
  g_assert_cmpuint (t->untrusted->ids->len, ==, 0);

  /* An impostor now meets a direct link: refused, the link stays. */
  reason = raw_claim (t->victim_port, owner_id, "{\"v\":1,\"e2e\":[\"noise-xx\"]}");
  g_assert_cmpstr (reason, ==, "Duplicated AnySocket ID found!");
  healthy_talk (t->healthy, HEALTHY_COUNT / 2);
  iterate_for (QUIET_MS);
  g_assert_true (any_peer_is_connected (direct));
  g_assert_cmpuint (t->replaced->len, ==, 1);
  g_assert_cmpuint (count_from_messages (t->victim_got, "attacker"), ==, 0);
  takeover_free (t);
}

/* 7e. An impostor behind a hub: it took the pinned owner's id on its own
 * link to an honest hub (the owner is away), and the victim asks the hub
 * for that id. The proxied link is refused before anything from it
 * counts: a LINK packet in the clear before the switch (PLAIN), or
 * another key in the switch (OTHER_KEY). */

typedef enum {
  IMPOSTOR_PLAIN,
  IMPOSTOR_OTHER_KEY,
} Impostor;

static void
on_impostor_connected (AnySocket *socket,
                       AnyPeer   *peer,
                       gpointer   user_data)
{
  g_autoptr(JsonNode) msg = json_printf ("{\"from\":\"attacker\",\"text\":\"I am the owner\"}");

  if (any_peer_is_proxy (peer))
    any_peer_send (peer, msg, NULL);
}

static void
test_proxied_impostor (gconstpointer data)
{
  Impostor variant = GPOINTER_TO_INT (data);
  g_autoptr(AnySocket) hub = quiet_socket ();
  g_autoptr(AnySocket) victim = quiet_socket ();
  g_autoptr(AnySocket) owner = quiet_socket ();
  g_autoptr(AnySocket) impostor = quiet_socket ();
  g_autofree char *owner_fp = any_socket_dup_fingerprint (owner);
  const char *owner_id = any_socket_get_id (owner);
  g_autoptr(AnyPeer) victim_to_hub = NULL;
  g_autoptr(AnyPeer) impostor_to_hub = NULL;
  g_autoptr(AnyPeer) proxied = NULL;
  g_autoptr(GError) error = NULL;
  Takeover got = { 0 };
  Untrusted *untrusted = untrusted_watch (victim);
  Healthy *healthy;
  const char *reason;

  got.owner = owner;
  got.replaced = g_ptr_array_new_with_free_func (g_free);
  got.victim_got = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_signal_connect (hub, "proxy-request", G_CALLBACK (allow_every_proxy), NULL);
  g_signal_connect (victim, "message", G_CALLBACK (on_victim_message), &got);
  g_signal_connect (victim, "disconnected", G_CALLBACK (on_victim_disconnected), &got);
  if (variant == IMPOSTOR_PLAIN)
    g_signal_connect (impostor, "connected", G_CALLBACK (on_impostor_connected), NULL);
  any_socket_pin_fingerprint (victim, owner_id, owner_fp);
  _any_socket_set_id_for_testing (impostor, owner_id);
  healthy = healthy_new (victim, listen_local (victim));

  {
    guint hub_port = listen_local (hub);

    victim_to_hub = connect_local (victim, hub_port, &error);
    g_assert_no_error (error);
    impostor_to_hub = connect_local (impostor, hub_port, &error);
    g_assert_no_error (error);
  }
  healthy_talk (healthy, HEALTHY_COUNT / 2);
  proxied = proxy_local (victim, owner_id, victim_to_hub, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (got.replaced->len == 1);
  g_assert_cmpuint (got.replaced->len, ==, 1);
  reason = g_ptr_array_index (got.replaced, 0);
  g_assert_false (any_peer_is_connected (proxied));
  if (variant == IMPOSTOR_PLAIN)
    g_assert_nonnull (strstr (reason, "is pinned to a native key but sent a plain LINK packet"));
  else
    g_assert_nonnull (strstr (reason, "changed (pinned"));
  g_assert_cmpuint (untrusted->ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (untrusted->ids, 0), ==, owner_id);
  g_assert_cmpstr (g_ptr_array_index (untrusted->reasons, 0), ==, reason);
  iterate_for (QUIET_MS);
  g_assert_cmpuint (count_from_messages (got.victim_got, "attacker"), ==, 0);
  g_assert_null (any_socket_get_peer (victim, owner_id));

  healthy_talk (healthy, HEALTHY_COUNT / 2);
  healthy_check_free (healthy, NULL);
  g_assert_cmpuint (count_from_messages (got.victim_got, "healthy"), ==, HEALTHY_COUNT);
  untrusted_free (victim, untrusted);
  any_socket_stop (impostor);
  any_socket_stop (victim);
  any_socket_stop (hub);
  drain ();
  g_signal_handlers_disconnect_by_data (victim, &got);
  g_ptr_array_unref (got.replaced);
  g_ptr_array_unref (got.victim_got);
}

void
e2e_add_pinned_cases (void)
{
  g_test_add_data_func ("/e2e/pinned/stripped/both-pinned", GINT_TO_POINTER (STRIP_BOTH_PIN), test_stripped);
  g_test_add_data_func ("/e2e/pinned/stripped/client-pinned", GINT_TO_POINTER (STRIP_CLIENT_PINS), test_stripped);
  g_test_add_data_func ("/e2e/pinned/stripped/server-pinned", GINT_TO_POINTER (STRIP_SERVER_PINS), test_stripped);
  g_test_add_data_func ("/e2e/pinned/stripped/unpinned-compat", GINT_TO_POINTER (STRIP_NONE_PINS), test_stripped);
  g_test_add_data_func ("/e2e/pinned/takeover/no-caps", GINT_TO_POINTER (CLAIM_NO_CAPS), test_takeover_refused);
  g_test_add_data_func ("/e2e/pinned/takeover/plain-after-caps", GINT_TO_POINTER (CLAIM_NATIVE_CAPS),
                        test_takeover_refused);
  g_test_add_data_func ("/e2e/pinned/takeover/other-key", GINT_TO_POINTER (CLAIM_OTHER_KEY), test_takeover_refused);
  g_test_add_func ("/e2e/pinned/takeover/by-owner", test_takeover_by_owner);
  g_test_add_data_func ("/e2e/pinned/proxied-impostor/plain", GINT_TO_POINTER (IMPOSTOR_PLAIN),
                        test_proxied_impostor);
  g_test_add_data_func ("/e2e/pinned/proxied-impostor/other-key", GINT_TO_POINTER (IMPOSTOR_OTHER_KEY),
                        test_proxied_impostor);
}
