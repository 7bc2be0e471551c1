/* bad-proxy.c: hostile proxying: PROXY requests, FORWARD frames, NETWORK
 * news
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "bad-input.h"

/* Cases: proxying (PROTOCOL.md 8). The server has no proxy-request
 * handler: as a hub it refuses, but only once a request is possible. */

typedef struct {
  const char *name;
  const char *id;       /* "$SELF", "$SERVER", or JSON for the "id" member; NULL: none */
  const char *action;   /* JSON for the "action" member */
  const char *refusal;  /* the start of the reply's "error" */
} BadProxy;

static const BadProxy bad_proxies[] = {
  { "self",           "$SELF",                                  "\"proxy\"", "Cannot proxy loopback!" },
  { "the-hub",        "$SERVER",                                "\"proxy\"", "Cannot proxy loopback!" },
  { "unknown-peer",   "\"0123456789abcdef0123456789abcdef\"",   "\"proxy\"", "Cannot proxy: peer 0123456789abcdef0123456789abcdef is not connected here" },
  { "no-id",          NULL,                                     "\"proxy\"", "Cannot proxy: ids must be" },
  { "number-id",      "12345",                                  "\"proxy\"", "Cannot proxy: ids must be" },
  { "uppercase-id",   "\"0123456789ABCDEF0123456789ABCDEF\"",   "\"proxy\"", "Cannot proxy: ids must be" },
  { "long-id",        "\"0123456789abcdef0123456789abcdef00\"", "\"proxy\"", "Cannot proxy: ids must be" },
  { "unknown-action", "\"0123456789abcdef0123456789abcdef\"",   "\"grab\"",  "Unknown PROXY action" },
  /* json-glib's getters give NULL for these: it once crashed the hub */
  { "number-action",  "\"0123456789abcdef0123456789abcdef\"",   "5",     "Unknown PROXY action" },
  { "null-action",    "\"0123456789abcdef0123456789abcdef\"",   "null",  "Unknown PROXY action" },
  { "object-action",  "\"0123456789abcdef0123456789abcdef\"",   "{}",    "Unknown PROXY action" },
};

static char *
bad_proxy_body (const BadProxy *c,
                Fixture        *fx,
                RawClient      *raw)
{
  g_autofree char *id = NULL;

  if (c->id == NULL)
    return g_strdup_printf ("{\"type\":2,\"action\":%s}", c->action);
  if (g_str_equal (c->id, "$SELF"))
    id = g_strdup_printf ("\"%s\"", raw->id);
  else if (g_str_equal (c->id, "$SERVER"))
    id = g_strdup_printf ("\"%s\"", any_socket_get_id (fx->server));
  else
    id = g_strdup (c->id);
  return g_strdup_printf ("{\"type\":2,\"action\":%s,\"id\":%s}", c->action, id);
}

/* Refused with a reason; the link stays. */
static void
assert_proxy_refused (Fixture    *fx,
                      RawClient  *raw,
                      gint32      seq,
                      const char *refusal)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object = frame_object (raw_wait (raw, T_INTERNAL, -seq), &node);

  g_assert_nonnull (object);
  if (object == NULL)
    return;
  g_assert_false (json_object_get_boolean_member_with_default (object, "ok", TRUE));
  g_test_message ("refused: %s", json_object_get_string_member_with_default (object, "error", "(none)"));
  assert_prefix (json_object_get_string_member_with_default (object, "error", ""), refusal);
  raw->next_seq = seq + 1;
  raw_expect_alive (fx, raw);
}

static void
test_bad_proxy (Fixture       *fx,
                gconstpointer  data)
{
  const BadProxy *c = data;
  RawClient *raw = raw_connect (fx);
  g_autofree char *body = NULL;

  if (!raw_auth (fx, raw))
    return;
  body = bad_proxy_body (c, fx, raw);
  g_assert_true (raw_send (raw, LAST, T_INTERNAL, 2, body));
  assert_proxy_refused (fx, raw, 2, c->refusal);
}

/* A possible request, refused by default (as the JavaScript hub does,
 * which closes the link too; we answer `ok: false`). */
static void
test_proxy_refused_by_default (Fixture       *fx,
                               gconstpointer  data)
{
  RawClient *a = raw_connect (fx);
  RawClient *b = raw_connect (fx);
  g_autofree char *body = NULL;

  if (!raw_auth (fx, a) || !raw_auth (fx, b))
    return;
  body = g_strdup_printf ("{\"type\":2,\"action\":\"proxy\",\"id\":\"%s\"}", b->id);
  g_assert_true (raw_send (a, LAST, T_INTERNAL, 2, body));
  assert_proxy_refused (fx, a, 2, "Proxy refused by the hub");
  /* B heard nothing. */
  g_assert_null (raw_find_type (b, T_INTERNAL, NULL));
}

static void
id_to_bytes (const char *id,
             guint8      out[16])
{
  g_assert_cmpuint (strlen (id), ==, 32);
  for (guint i = 0; i < 16; i++)
    out[i] = (guint8) (g_ascii_xdigit_value (id[2 * i]) << 4 | g_ascii_xdigit_value (id[2 * i + 1]));
}

/* A FORWARD frame: @from, @to as ids, then a whole LINK chunk. */
GBytes *
forward_frame (const char *to,
               const char *from)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  guint8 to_bytes[16], from_bytes[16];
  static const char inner[] = "13" "\0\0\0\x01" "{\"hi\":1}";

  id_to_bytes (to, to_bytes);
  id_to_bytes (from, from_bytes);
  g_byte_array_append (out, (const guint8 *) "6", 1);
  for (guint i = 0; i < 16; i++)
    append_byte_code_point (out, to_bytes[i]);
  for (guint i = 0; i < 16; i++)
    append_byte_code_point (out, from_bytes[i]);
  g_byte_array_append (out, (const guint8 *) inner, sizeof inner - 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* A FORWARD to a peer the sender was never linked with: this hub relays
 * only between linked peers (the JavaScript hub relays to anyone). */
static void
test_forward_unlinked (Fixture       *fx,
                       gconstpointer  data)
{
  RawClient *a = raw_connect (fx);
  RawClient *b = raw_connect (fx);
  g_autofree char *reason = NULL;

  if (!raw_auth (fx, a) || !raw_auth (fx, b))
    return;
  g_assert_true (raw_send_bytes (a, forward_frame (b->id, a->id), FALSE));
  reason = g_strdup_printf ("Invalid FORWARD: peer %s is not linked to %s", a->id, b->id);
  raw_expect_close (fx, a, reason);
  g_assert_cmpuint (b->frames->len, ==, 1);
}

/* A FORWARD to us from a peer we do not reach through the sender: late
 * frames of a closed proxied link look like this, so it is dropped. */
static void
test_forward_to_hub_unknown (Fixture       *fx,
                             gconstpointer  data)
{
  RawClient *a = raw_connect (fx);

  if (!raw_auth (fx, a))
    return;
  g_assert_true (raw_send_bytes (a, forward_frame (any_socket_get_id (fx->server), a->id), FALSE));
  a->next_seq = 2;
  raw_expect_alive (fx, a);
  g_assert_cmpuint (fx->raw_messages->len, ==, 1);
}

/* A hub announcing peers without end: at most 1024 proxied peers each. */
static void
test_network_flood (Fixture       *fx,
                    gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  g_autoptr(GList) peers = NULL;
  guint proxied = 0;
  gint32 seq = 2;

  if (!raw_auth (fx, raw))
    return;
  /* A thousand proxied peers pinging through the raw client (which never
   * answers) would swamp a slow run (valgrind); their number is the point. */
  any_socket_set_heartbeat_interval (fx->server, 0);
  for (guint i = 0; i < 1100; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"type\":1,\"action\":\"connected\","
                                               "\"id\":\"%032x\"}", i + 1);

      g_assert_true (raw_send (raw, LAST, T_INTERNAL, seq++, body));
    }
  raw->next_seq = seq;
  raw_expect_alive (fx, raw);
  peers = any_socket_get_peers (fx->server);
  for (GList *l = peers; l != NULL; l = l->next)
    if (any_peer_is_proxy (l->data))
      proxied++;
  g_test_message ("%u proxied peers after 1100 announcements", proxied);
  g_assert_cmpuint (proxied, ==, 1024);
}

static gboolean
has_unproxy_for (RawClient  *raw,
                 const char *id)
{
  for (guint i = 0; i < raw->frames->len; i++)
    {
      RawFrame *frame = g_ptr_array_index (raw->frames, i);

      if (frame->valid && frame->type == T_INTERNAL && strstr (frame->body, "\"unproxy\"") != NULL &&
          strstr (frame->body, id) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* A hub linking us with a peer we still have a direct link with (that
 * peer's close racing the news): we say unproxy at once, so that it can
 * ask again, and keep the direct link as it is. */
static void
test_network_for_direct_peer (Fixture       *fx,
                              gconstpointer  data)
{
  RawClient *hub = raw_connect (fx);
  g_autofree char *body = NULL;
  AnyPeer *direct;

  if (!raw_auth (fx, hub))
    return;
  body = g_strdup_printf ("{\"type\":1,\"action\":\"connected\",\"id\":\"%s\"}", fx->healthy->id);
  g_assert_true (raw_send (hub, LAST, T_INTERNAL, 2, body));
  WAIT_FOR (has_unproxy_for (hub, fx->healthy->id), WAIT_MS);
  g_assert_true (has_unproxy_for (hub, fx->healthy->id));
  hub->next_seq = 3;
  raw_expect_alive (fx, hub);
  direct = any_socket_get_peer (fx->server, fx->healthy->id);
  g_assert_nonnull (direct);
  g_assert_false (any_peer_is_proxy (direct));
  g_assert_true (any_peer_is_connected (direct));
}

static const char * const bad_networks[] = {
  "{\"type\":1,\"action\":\"connected\",\"id\":\"not-an-id\"}",
  "{\"type\":1,\"action\":\"connected\"}",
  "{\"type\":1,\"action\":\"connected\",\"id\":42}",
  "{\"type\":1,\"action\":\"disconnected\",\"id\":\"0123456789abcdef0123456789abcdef\"}",
  "{\"type\":1,\"action\":\"explode\",\"id\":\"0123456789abcdef0123456789abcdef\"}",
  "{\"type\":1}",
  "{\"type\":1,\"action\":7,\"id\":\"0123456789abcdef0123456789abcdef\"}",
  "{\"type\":1,\"action\":\"connected\",\"id\":[]}",
};

/* NETWORK news we cannot use are ignored (the JavaScript peer would drop
 * the link for some); only a valid `connected` makes a proxied peer. */
static void
test_network_garbage (Fixture       *fx,
                      gconstpointer  data)
{
  RawClient *raw = raw_connect (fx);
  gint32 seq = 2;

  if (!raw_auth (fx, raw))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (bad_networks); i++)
    g_assert_true (raw_send (raw, LAST, T_INTERNAL, seq++, bad_networks[i]));
  raw->next_seq = seq;
  raw_expect_alive (fx, raw);
  g_assert_null (any_socket_get_peer (fx->server, "0123456789abcdef0123456789abcdef"));
  {
    g_autoptr(GList) peers = any_socket_get_peers (fx->server);

    g_assert_cmpuint (g_list_length (peers), ==, 2);
  }
}

void
badinput_add_proxy_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_proxies); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/proxy/refused/%s", bad_proxies[i].name);

      g_test_add (path, Fixture, &bad_proxies[i], fixture_setup, test_bad_proxy, fixture_teardown);
    }

  ADD ("proxy/refused/by-default", NULL, test_proxy_refused_by_default);

  ADD ("proxy/forward-unlinked", NULL, test_forward_unlinked);

  ADD ("proxy/forward-to-hub-unknown", NULL, test_forward_to_hub_unknown);

  ADD ("proxy/network-garbage", NULL, test_network_garbage);

  ADD ("proxy/network-flood", NULL, test_network_flood);

  ADD ("proxy/network-for-direct-peer", NULL, test_network_for_direct_peer);
}
