/* test-mesh-attacks.c: hostile mesh nodes beside healthy ones
 *
 * The attacker is a mesh node (so its neighbour takes its mesh packets)
 * that also writes packets by hand with the private wire builders: a
 * forged author, forged and replayed announcements, a route claimed for
 * an id without its signature, floods of publications and announcements,
 * a full routing table, oversized packets, hop limits; and a relay that
 * tampers with or drops end-to-end traffic. Each time a healthy node
 * beside it is checked to have lost nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "mesh-harness.h"
#include "api/any-mesh-private.h"
#include "api/any-socket-private.h"
#include "codec/any-base64.h"

#define CONVERGE_MS 20000

/* H0 - V - H1, and the attacker A (index 3) linked to V. */
enum { H0, V, H1, A };

static Net *
attack_net (void)
{
  Net *net = net_new (4);

  net_link (net, H0, V);
  net_link (net, V, H1);
  net_link (net, A, V);
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  return net;
}

static void
send_raw (Net *net, const guint8 *data, gsize len)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *o = json_object_new ();
  g_autoptr(GError) error = NULL;

  any_base64_encode_append (text, data, len);
  json_object_set_string_member (o, "anymesh", text->str);
  json_node_take_object (node, o);
  g_assert_true (any_peer_send (net_peer_between (net, A, V), node, &error));
  g_assert_no_error (error);
}

static void
random_key (AnyEd25519Key *key)
{
  guint8 seed[32];

  for (guint i = 0; i < sizeof seed; i++)
    seed[i] = g_random_int_range (0, 256);
  any_ed25519_key_from_seed (key, seed);
}

static void
node_key (MeshNode *node, AnyEd25519Key *key)
{
  guint8 priv[32];

  any_noise_keypair_get_private (_any_socket_get_identity (node->socket), priv);
  any_ed25519_key_from_x25519 (key, priv);
}

static GByteArray *
publish_packet (const AnyEd25519Key *key, guint8 hops, guint64 seq, int n, guint from, gsize pad)
{
  GByteArray *out = g_byte_array_new ();
  g_autofree char *padding = g_strnfill (pad, 'x');
  g_autofree char *text = g_strdup_printf ("{\"n\":%d,\"from\":%u,\"pad\":\"%s\"}", n, from, padding);

  any_mesh_publish_write (out, key, hops, seq, "t", (const guint8 *) text, strlen (text));
  return out;
}

static void
announce_packet (const AnyEd25519Key *key, guint64 seq, guint32 lifetime_ms,
                 guint8 out[ANY_MESH_ANNOUNCE_LEN])
{
  AnyMeshAnnounce ann = { 0 };

  ann.seq = seq;
  ann.lifetime_ms = lifetime_ms;
  any_mesh_announce_sign (&ann, key);
  any_mesh_announce_write (&ann, out);
}

/* How many distinct messages of @author's node @at got. */
static guint
count_from (Net *net, guint at, guint author)
{
  g_autofree char *prefix = g_strdup_printf ("%s/", net_node (net, author)->node_id);
  GHashTableIter iter;
  gpointer key;
  guint count = 0;

  g_hash_table_iter_init (&iter, net_node (net, at)->got);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    count += g_str_has_prefix (key, prefix);
  return count;
}

/* The healthy nodes still talk: H0 publishes, H1 gets each once. */
static void
check_healthy (Net *net, int first, int count)
{
  guint before = count_from (net, H1, H0);

  for (int k = 0; k < count; k++)
    net_publish (net, H0, first + k);
  g_assert_true (WAIT_FOR (count_from (net, H1, H0) >= before + count, CONVERGE_MS));
  iterate_for (200);
  g_assert_cmpuint (count_from (net, H1, H0), ==, before + count);
  g_assert_cmpuint (net_node (net, H1)->duplicates + net_node (net, H1)->wrong_author, ==, 0);
}

/* A publication that claims H0 as its author but is signed by A. */
static void
test_forged_author (void)
{
  Net *net = attack_net ();
  AnyEd25519Key mine, victim;
  g_autoptr(GByteArray) packet = NULL;

  random_key (&mine);
  node_key (net_node (net, H0), &victim);
  packet = publish_packet (&mine, 16, 1, 1, H0, 0);
  memcpy (packet->data + 3, victim.pub, 32);   /* the author field */
  send_raw (net, packet->data, packet->len);
  /* After it, H0's own messages: at every node only those three. */
  check_healthy (net, 100, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (count_from (net, i, H0), ==, i == H0 ? 0 : 3);
  g_assert_cmpuint (mesh_stat (net_node (net, V)->mesh, "bad-signature"), ==, 1);
  g_assert_cmpuint (net_node (net, V)->received, ==, 3);
  g_assert_cmpuint (net_node (net, V)->wrong_author, ==, 0);
  net_free (net);
}

/* A route to H0 claimed by A (H0's key in an announcement A signed), an
 * announcement with its signature bytes changed, and one for an id that
 * A cannot sign for: all dropped, none believed. */
static void
test_forged_announce (void)
{
  Net *net = attack_net ();
  AnyEd25519Key mine, victim;
  guint8 ann[ANY_MESH_ANNOUNCE_LEN];
  AnyPeer *via;

  random_key (&mine);
  node_key (net_node (net, H0), &victim);
  announce_packet (&mine, G_MAXUINT64 - 1, 60000, ann);
  memcpy (ann + 3, victim.pub, 32);            /* claims H0, newest seq */
  ann[2] = 0;
  send_raw (net, ann, sizeof ann);

  random_key (&mine);
  announce_packet (&mine, 7, 60000, ann);
  ann[100] ^= 1;                               /* a signature bit */
  send_raw (net, ann, sizeof ann);

  g_assert_true (WAIT_FOR (mesh_stat (net_node (net, V)->mesh, "forged-announce") == 2, CONVERGE_MS));
  via = any_mesh_node_get_next_hop (any_mesh_get_node (net_node (net, V)->mesh, net_node (net, H0)->node_id));
  g_assert_true (via == net_peer_between (net, V, H0));
  iterate_for (2 * MESH_ANNOUNCE_MS);
  g_assert_true (net_full (net));
  for (guint i = 0; i < 4; i++)
    {
      GList *all = any_mesh_get_nodes (net_node (net, i)->mesh);

      g_assert_cmpuint (g_list_length (all), ==, 3);
      g_list_free (all);
    }
  check_healthy (net, 0, 3);
  net_free (net);
}

static gboolean
has_node (Net *net, guint at, const AnyEd25519Key *key)
{
  guint8 raw[ANY_MESH_NODE_ID_LEN];
  g_autofree char *id = NULL;

  any_ed25519_node_id (key->pub, raw);
  id = any_ed25519_node_id_hex (raw);
  return any_mesh_get_node (net_node (net, at)->mesh, id) != NULL;
}

/* A node K that really announced itself, and went away: a replay of its
 * announcement does not bring its ghost back. */
static void
test_replayed_announce (void)
{
  Net *net = attack_net ();
  AnyEd25519Key k;
  guint8 first[ANY_MESH_ANNOUNCE_LEN], second[ANY_MESH_ANNOUNCE_LEN];

  random_key (&k);
  announce_packet (&k, 1000, 400, first);
  announce_packet (&k, 1001, 400, second);
  send_raw (net, first, sizeof first);
  g_assert_true (WAIT_FOR (has_node (net, V, &k) && has_node (net, H1, &k), CONVERGE_MS));
  iterate_for (300);
  send_raw (net, second, sizeof second);
  /* K stops: gone within its lifetime. */
  g_assert_true (WAIT_FOR (!has_node (net, V, &k) && !has_node (net, H0, &k), CONVERGE_MS));
  iterate_for (300);
  send_raw (net, first, sizeof first);
  send_raw (net, second, sizeof second);
  /* (A replay that got in would show K again within milliseconds, for
   * one lifetime.) */
  g_assert_false (WAIT_FOR (has_node (net, V, &k) || has_node (net, H0, &k), 350));
  g_assert_cmpuint (mesh_stat (net_node (net, V)->mesh, "replayed-announce"), >=, 1);
  check_healthy (net, 0, 3);
  net_free (net);
}

/* A floods publications (its own, validly signed): V relays at most
 * publish-rate per second of them (bursts of twice), and H0's messages
 * still reach H1, each once. */
static void
test_publish_flood (void)
{
  Net *net = attack_net ();
  guint from_a, bound;
  gint64 start = g_get_monotonic_time ();
  double seconds;

  g_object_set (net_node (net, V)->mesh, "publish-rate", 50, NULL);
  for (int k = 0; k < 1000; k++)
    net_publish (net, A, k);
  check_healthy (net, 0, 20);
  iterate_for (500);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  from_a = count_from (net, H1, A);
  /* A burst of 100, then 50 a second for as long as the flood lasted
   * (longer on a slow machine, or under valgrind). */
  bound = 100 + (guint) (50 * seconds) + 10;
  g_test_message ("H1 got %u of the 1000 flooded in %.1f s (bound %u), V dropped %" G_GUINT64_FORMAT,
                  from_a, seconds, bound, mesh_stat (net_node (net, V)->mesh, "rate-limited"));
  g_assert_cmpuint (from_a, <=, bound);
  g_assert_cmpuint (from_a, >=, 100);
  if (bound < 600)
    g_assert_cmpuint (mesh_stat (net_node (net, V)->mesh, "rate-limited"), >=, 1000 - bound);
  net_free (net);
}

/* A sends 40 valid announcements of its own in a burst: V takes at most
 * max-announces-per-second of them a second. */
static void
test_announce_flood (void)
{
  Net *net = attack_net ();
  AnyEd25519Key k;
  guint8 ann[ANY_MESH_ANNOUNCE_LEN];

  random_key (&k);
  for (guint i = 0; i < 40; i++)
    {
      announce_packet (&k, 5000 + i, 60000, ann);
      send_raw (net, ann, sizeof ann);
    }
  g_assert_true (WAIT_FOR (mesh_stat (net_node (net, V)->mesh, "rate-limited") >= 30, CONVERGE_MS));
  g_assert_true (has_node (net, V, &k));
  check_healthy (net, 0, 3);
  net_free (net);
}

/* max-routes on V: A announces 50 made-up nodes (validly signed, each by
 * its own key); V keeps at most max-routes, the healthy ones among them. */
static void
test_table_full (void)
{
  Net *net = attack_net ();
  guint8 ann[ANY_MESH_ANNOUNCE_LEN];
  GList *all;

  g_object_set (net_node (net, V)->mesh, "max-routes", 8, NULL);
  for (guint i = 0; i < 50; i++)
    {
      AnyEd25519Key k;

      random_key (&k);
      announce_packet (&k, 1, 60000, ann);
      send_raw (net, ann, sizeof ann);
    }
  g_assert_true (WAIT_FOR (mesh_stat (net_node (net, V)->mesh, "table-full") >= 40, CONVERGE_MS));
  all = any_mesh_get_nodes (net_node (net, V)->mesh);
  g_assert_cmpuint (g_list_length (all), <=, 8);
  g_list_free (all);
  g_assert_nonnull (any_mesh_get_node (net_node (net, V)->mesh, net_node (net, H0)->node_id));
  g_assert_nonnull (any_mesh_get_node (net_node (net, V)->mesh, net_node (net, H1)->node_id));
  check_healthy (net, 0, 3);
  net_free (net);
}

/* A publication over V's max-message-size is dropped; a publication with
 * hop limit 1 is shown at V but not relayed; 255 is cut to max-hops. */
static void
test_size_and_hops (void)
{
  Net *net = attack_net ();
  AnyEd25519Key mine;
  g_autoptr(GByteArray) big = NULL;
  g_autoptr(GByteArray) one_hop = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) huge = NULL;
  g_autofree char *huge_text = NULL;
  g_autofree char *ys = g_strnfill (2000, 'y');

  random_key (&mine);
  g_object_set (net_node (net, V)->mesh, "max-message-size", (guint64) 1024, NULL);
  big = publish_packet (&mine, 16, 1, 1, A, 2000);
  send_raw (net, big->data, big->len);
  g_assert_true (WAIT_FOR (mesh_stat (net_node (net, V)->mesh, "oversized") == 1, CONVERGE_MS));

  one_hop = publish_packet (&mine, 1, 2, 2, A, 0);
  send_raw (net, one_hop->data, one_hop->len);
  g_assert_true (WAIT_FOR (net_node (net, V)->received == 1, CONVERGE_MS));
  check_healthy (net, 0, 3);
  g_assert_cmpuint (net_node (net, H1)->received, ==, 3);   /* only H0's */

  /* The local side refuses what it would not send. */
  huge_text = g_strdup_printf ("\"%s\"", ys);
  huge = json_from_string (huge_text, NULL);
  g_assert_false (any_mesh_publish (net_node (net, V)->mesh, "t", huge, &error));
  g_assert_error (error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_MESSAGE_TOO_BIG);
  net_free (net);
}

/* A flood of IHAVE packets (offering ids that do not exist): V takes at
 * most neighbour-rate packets a second from A, remembers a bounded set of
 * wanted ids, and H0's messages still reach H1. */
static void
test_neighbour_flood (void)
{
  Net *net = attack_net ();
  g_autoptr(GByteArray) packet = g_byte_array_new ();
  guint8 ids[ANY_MESH_MAX_IDS * ANY_MESH_MSG_ID_LEN];

  g_object_set (net_node (net, V)->mesh, "neighbour-rate", 100, NULL);
  for (guint k = 0; k < 1000; k++)
    {
      for (guint i = 0; i < sizeof ids; i++)
        ids[i] = g_random_int_range (0, 256);
      g_byte_array_set_size (packet, 0);
      any_mesh_ids_write (packet, ANY_MESH_PACKET_IHAVE, ids, ANY_MESH_MAX_IDS);
      send_raw (net, packet->data, packet->len);
    }
  g_assert_true (WAIT_FOR (mesh_stat (net_node (net, V)->mesh, "rate-limited") >= 700, CONVERGE_MS));
  check_healthy (net, 0, 10);
  net_free (net);
}

/* dedup-size and dedup-age bound what V remembers, whatever A publishes;
 * the cache empties once the messages are older than dedup-age. */
static void
test_dedup_bounds (void)
{
  Net *net = attack_net ();

  g_object_set (net_node (net, V)->mesh, "dedup-size", 16, "dedup-age", 1000, NULL);
  for (int k = 0; k < 150; k++)
    net_publish (net, A, k);
  g_assert_true (WAIT_FOR (count_from (net, V, A) == 150, CONVERGE_MS));
  iterate_for (200);
  g_assert_cmpuint (mesh_stat (net_node (net, V)->mesh, "dedup-entries"), <=, 16);
  g_assert_cmpuint (mesh_stat (net_node (net, V)->mesh, "history-entries"), <=, 16);
  g_assert_true (WAIT_FOR (mesh_stat (net_node (net, V)->mesh, "dedup-entries") == 0, 3000));
  check_healthy (net, 0, 3);
  net_free (net);
}

/* max-hops 3 everywhere on a chain of 6: routes and publications reach 3
 * hops, no further. */
static void
test_hop_limit (void)
{
  Net *net = net_new (6);

  for (guint i = 0; i < 6; i++)
    g_object_set (net_node (net, i)->mesh, "max-hops", 3, NULL);
  net_chain (net);
  g_assert_true (WAIT_FOR (net_reach (net_node (net, 0)) == 3 && net_reach (net_node (net, 5)) == 3,
                           CONVERGE_MS));
  iterate_for (2 * MESH_ANNOUNCE_MS);
  g_assert_cmpuint (net_reach (net_node (net, 0)), ==, 3);
  g_assert_null (any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 4)->node_id));
  net_publish (net, 0, 1);
  g_assert_true (WAIT_FOR (net_node (net, 3)->received == 1, CONVERGE_MS));
  iterate_for (500);
  g_assert_cmpuint (net_node (net, 1)->received + net_node (net, 2)->received, ==, 2);
  g_assert_cmpuint (net_node (net, 4)->received + net_node (net, 5)->received, ==, 0);
  net_free (net);
}

/* Any node can write a HELLO that claims to come from H0: H1's working
 * session with H0 is not replaced by it, and H0's next message still
 * arrives. */
static void
test_forged_hello (void)
{
  Net *net = attack_net ();
  g_autoptr(JsonNode) msg = json_from_string ("{\"m\": 1}", NULL);
  g_autoptr(GByteArray) packet = g_byte_array_new ();
  guint8 h0[ANY_MESH_NODE_ID_LEN], h1[ANY_MESH_NODE_ID_LEN], e[32];

  g_assert_true (any_mesh_send (net_node (net, H0)->mesh, net_node (net, H1)->node_id, msg, NULL));
  g_assert_true (WAIT_FOR (net_node (net, H1)->node_messages == 1, CONVERGE_MS));

  any_ed25519_node_id_parse (net_node (net, H0)->node_id, h0);
  any_ed25519_node_id_parse (net_node (net, H1)->node_id, h1);
  for (guint i = 0; i < sizeof e; i++)
    e[i] = g_random_int_range (0, 256);
  any_mesh_data_write (packet, 16, h1, h0, ANY_MESH_DATA_HELLO, 12345, e, sizeof e);
  send_raw (net, packet->data, packet->len);
  iterate_for (300);

  /* H1 answers over its session at once (a session replaced by the
   * forged HELLO would hold the message for a handshake that never ends). */
  g_assert_true (any_mesh_send (net_node (net, H1)->mesh, net_node (net, H0)->node_id, msg, NULL));
  g_assert_true (WAIT_FOR (net_node (net, H0)->node_messages == 1, 2000));
  g_assert_true (any_mesh_send (net_node (net, H0)->mesh, net_node (net, H1)->node_id, msg, NULL));
  g_assert_true (WAIT_FOR (net_node (net, H1)->node_messages == 2, CONVERGE_MS));
  g_assert_cmpuint (mesh_stat (net_node (net, H1)->mesh, "e2e-failed"), ==, 0);
  net_free (net);
}

/* --- a relay that attacks end-to-end traffic ------------------------------- */

typedef struct {
  guint kind;        /* which DATA kind to hit */
  gboolean drop;
  guint hit;
} Relay;

static gboolean
relay_hook (gpointer user_data, guint8 *packet, gsize len)
{
  Relay *relay = user_data;

  if (len < ANY_MESH_DATA_HEADER_LEN || packet[35] != relay->kind)
    return TRUE;
  relay->hit++;
  if (relay->drop)
    return FALSE;
  packet[len - 1] ^= 0x40;   /* in the ciphertext or the tag */
  return TRUE;
}

static void
relay_attack (guint kind, gboolean drop)
{
  Net *net = net_new (3);
  Relay relay = { .kind = kind, .drop = drop };
  g_autoptr(JsonNode) msg = json_from_string ("{\"to\": \"H1\"}", NULL);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  AnyMeshNode *end;

  net_chain (net);   /* H0 - R(1) - H1(2) */
  g_assert_true (net_wait_full (net, CONVERGE_MS));
  any_mesh_core_set_relay_hook (_any_mesh_get_core (net_node (net, 1)->mesh), relay_hook, &relay);
  g_assert_true (any_mesh_send (net_node (net, 0)->mesh, net_node (net, 2)->node_id, msg, NULL));
  reply = mesh_request (net_node (net, 0), net_node (net, 2), 1500, &error);
  g_assert_null (reply);
  g_assert_nonnull (error);
  g_test_message ("request through the relay: %s", error->message);
  g_assert_cmpuint (relay.hit, >, 0);
  g_assert_cmpuint (net_node (net, 2)->node_messages, ==, 0);
  if (!drop)
    g_assert_cmpuint (mesh_stat (net_node (net, 2)->mesh, "e2e-failed")
                      + mesh_stat (net_node (net, 0)->mesh, "e2e-failed"), >, 0);
  end = any_mesh_get_node (net_node (net, 0)->mesh, net_node (net, 2)->node_id);
  if (kind != ANY_MESH_DATA_SEALED)
    g_assert_false (any_mesh_node_get_verified (end));

  any_mesh_core_set_relay_hook (_any_mesh_get_core (net_node (net, 1)->mesh), NULL, NULL);
  net_free (net);
}

static void
test_relay_tampers_sealed (void)
{
  relay_attack (ANY_MESH_DATA_SEALED, FALSE);
}

static void
test_relay_tampers_handshake (void)
{
  relay_attack (ANY_MESH_DATA_WELCOME, FALSE);
}

static void
test_relay_drops (void)
{
  relay_attack (ANY_MESH_DATA_SEALED, TRUE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mesh-attacks/forged-author", test_forged_author);
  g_test_add_func ("/mesh-attacks/forged-announce", test_forged_announce);
  g_test_add_func ("/mesh-attacks/replayed-announce", test_replayed_announce);
  g_test_add_func ("/mesh-attacks/publish-flood", test_publish_flood);
  g_test_add_func ("/mesh-attacks/announce-flood", test_announce_flood);
  g_test_add_func ("/mesh-attacks/table-full", test_table_full);
  g_test_add_func ("/mesh-attacks/size-and-hops", test_size_and_hops);
  g_test_add_func ("/mesh-attacks/neighbour-flood", test_neighbour_flood);
  g_test_add_func ("/mesh-attacks/forged-hello", test_forged_hello);
  g_test_add_func ("/mesh-attacks/dedup-bounds", test_dedup_bounds);
  g_test_add_func ("/mesh-attacks/hop-limit", test_hop_limit);
  g_test_add_func ("/mesh-attacks/relay-tampers-sealed", test_relay_tampers_sealed);
  g_test_add_func ("/mesh-attacks/relay-tampers-handshake", test_relay_tampers_handshake);
  g_test_add_func ("/mesh-attacks/relay-drops", test_relay_drops);
  return g_test_run ();
}
