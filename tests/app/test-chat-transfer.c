/* test-chat-transfer.c: the file transfer state machine and the name
 * sanitiser, without a network
 *
 * Two ChatTransfers, alice's and bob's, each with its own model and
 * download folder, talk through a ChatTransferLink that queues messages
 * in memory; the tests deliver them and look at the files. A hostile
 * sender is bob's peer writing messages by hand.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "chat-transfer.h"
#include "temp-tree.h"

#define ALICE_ID "a11ce000000000000000000000000000"
#define BOB_ID   "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0"
#define MAX_DELIVERIES 100000

typedef struct {
  char     *to;
  JsonNode *msg;
} Queued;

typedef struct _Side Side;
struct _Side {
  ChatModel     *model;
  ChatTransfers *transfers;
  char          *dir;
  Side          *other;
  const char    *peer_id;   /* the other side's id */
  GQueue         outbox;    /* Queued */
  gboolean       plain;     /* the link is not E2E */
  guint          max_outbox;
};

typedef struct {
  char *tmp;
  Side  alice;
  Side  bob;
} Fixture;

static gboolean
fake_send (const char *peer_id,
           JsonNode   *msg,
           gpointer    data,
           GError    **error)
{
  Side *side = data;
  Queued *queued = g_new0 (Queued, 1);

  g_assert_cmpstr (peer_id, ==, side->peer_id);
  queued->to = g_strdup (peer_id);
  queued->msg = json_node_copy (msg);
  g_queue_push_tail (&side->outbox, queued);
  side->max_outbox = MAX (side->max_outbox, side->outbox.length);
  return TRUE;
}

static gboolean
fake_is_protected (const char *peer_id,
                   gpointer    data)
{
  return !((Side *) data)->plain;
}

static const ChatTransferLink fake_link = { fake_send, fake_is_protected };

static void
queued_free (Queued *queued)
{
  g_free (queued->to);
  json_node_unref (queued->msg);
  g_free (queued);
}

static void
side_init (Side       *side,
           Side       *other,
           const char *tmp,
           const char *own_id,
           const char *own_nick,
           const char *peer_id,
           const char *peer_nick)
{
  ChatPeer *peer;

  side->model = chat_model_new (own_id, own_nick);
  peer = chat_model_ensure_peer (side->model, peer_id);
  g_free (peer->nick);
  peer->nick = g_strdup (peer_nick);
  side->dir = g_build_filename (tmp, own_nick, "Downloads", NULL);
  side->transfers = chat_transfers_new (side->model, &fake_link, side, side->dir, 64 * 1024 * 1024);
  side->other = other;
  side->peer_id = peer_id;
  g_queue_init (&side->outbox);
}

static void
side_clear (Side *side)
{
  g_queue_clear_full (&side->outbox, (GDestroyNotify) queued_free);
  chat_transfers_free (side->transfers);
  chat_model_free (side->model);
  g_free (side->dir);
}

static void
setup (Fixture      *fixture,
       gconstpointer data)
{
  fixture->tmp = g_dir_make_tmp ("test-chat-transfer-XXXXXX", NULL);
  g_assert_nonnull (fixture->tmp);
  side_init (&fixture->alice, &fixture->bob, fixture->tmp, ALICE_ID, "alice", BOB_ID, "bob");
  side_init (&fixture->bob, &fixture->alice, fixture->tmp, BOB_ID, "bob", ALICE_ID, "alice");
}

static void
teardown (Fixture      *fixture,
          gconstpointer data)
{
  side_clear (&fixture->alice);
  side_clear (&fixture->bob);
  test_remove_tree (fixture->tmp);
  g_free (fixture->tmp);
}

/* Delivers what both sides queued, until both are quiet (bounded). */
static void
deliver (Fixture *fixture)
{
  for (guint n = 0; n < MAX_DELIVERIES; n++)
    {
      Side *from = !g_queue_is_empty (&fixture->alice.outbox) ? &fixture->alice :
                   !g_queue_is_empty (&fixture->bob.outbox) ? &fixture->bob : NULL;
      Queued *queued;

      if (from == NULL)
        return;
      queued = g_queue_pop_head (&from->outbox);
      chat_transfers_receive (from->other->transfers, from->other->peer_id, queued->msg);
      queued_free (queued);
    }
  g_assert_not_reached ();
}

/* Runs the main context until the sender's hash thread has offered. */
static void
wait_hashed (Side *side)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!chat_transfers_is_idle (side->transfers) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (chat_transfers_is_idle (side->transfers));
}

static char *
write_random_file (const char *dir,
                   const char *name,
                   gsize       size)
{
  g_autofree guchar *bytes = g_malloc (size + 1);
  char *path = g_build_filename (dir, name, NULL);

  for (gsize i = 0; i < size; i++)
    bytes[i] = g_random_int_range (0, 256);
  g_assert_true (g_file_set_contents (path, (char *) bytes, size, NULL));
  return path;
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guchar *) contents, len);
}

/* Some line of @side's windows holds @text. */
static gboolean
said (Side       *side,
      const char *text)
{
  for (guint w = 0; w < side->model->windows->len; w++)
    {
      ChatWindow *window = g_ptr_array_index (side->model->windows, w);

      for (guint i = 0; i < window->lines->len; i++)
        if (strstr (((ChatLine *) g_ptr_array_index (window->lines, i))->text, text) != NULL)
          return TRUE;
    }
  return g_strcmp0 (side->model->notice, NULL) != 0 && strstr (side->model->notice, text) != NULL;
}

static guint
files_in (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (listing != NULL && g_dir_read_name (listing) != NULL)
    n++;
  return n;
}

/* alice offers @size random bytes; bob has the offer (not accepted). */
static char *
offer (Fixture    *fixture,
       const char *name,
       gsize       size)
{
  ChatPeer *bob = chat_model_get_peer (fixture->alice.model, BOB_ID);
  char *path = write_random_file (fixture->tmp, name, size);
  g_autoptr(GError) error = NULL;

  g_assert_true (chat_transfers_offer (fixture->alice.transfers, bob, path, &error));
  g_assert_no_error (error);
  wait_hashed (&fixture->alice);
  deliver (fixture);
  return path;
}

/* Delivers the next message @from queued. */
static void
deliver_one (Side *from)
{
  Queued *queued = g_queue_pop_head (&from->outbox);

  g_assert_nonnull (queued);
  chat_transfers_receive (from->other->transfers, from->other->peer_id, queued->msg);
  queued_free (queued);
}

static void
test_sanitize (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "report.pdf", "report.pdf" },
    { "../../etc/passwd", "_.._etc_passwd" },
    { "/etc/passwd", "_etc_passwd" },
    { "..\\..\\boot.ini", "_.._boot.ini" },
    { ".bashrc", "bashrc" },
    { "...", "file" },
    { "..", "file" },
    { "", "file" },
    { " \t. x", "x" },
    { "a\nb\x1b[2Jc\x7f", "ab[2Jc" },
    { "evil\xe2\x80\xaegnp.exe", "evilgnp.exe" },     /* U+202E RIGHT-TO-LEFT OVERRIDE */
    { "zero\xe2\x80\x8bwidth", "zerowidth" },         /* U+200B */
    { "bad\xff\xfeutf8", "bad\xef\xbf\xbd\xef\xbf\xbdutf8" },
    { "name. . ", "name" },
    { "caf\xc3\xa9 \xf0\x9f\x98\x80.txt", "caf\xc3\xa9 \xf0\x9f\x98\x80.txt" },
  };
  g_autofree char *longest = g_strnfill (300, 'x');
  g_autofree char *cut = NULL;
  g_autofree char *wide = NULL;
  g_autofree char *wide_cut = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = chat_file_name_sanitize (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_null (strchr (out, '/'));
    }
  cut = chat_file_name_sanitize (longest);
  g_assert_cmpuint (strlen (cut), ==, CHAT_FILE_MAX_NAME);
  /* cut between characters, never inside one */
  wide = g_strnfill (0, 'x');
  for (guint i = 0; i < 100; i++)
    {
      char *more = g_strconcat (wide, "\xc3\xa9", NULL);

      g_free (wide);
      wide = more;
    }
  wide_cut = chat_file_name_sanitize (wide);
  g_assert_true (g_utf8_validate (wide_cut, -1, NULL));
  g_assert_cmpuint (strlen (wide_cut), <=, CHAT_FILE_MAX_NAME);
  {
    g_autofree char *none = chat_file_name_sanitize (NULL);

    g_assert_cmpstr (none, ==, "file");
  }
}

static void
test_unique_name (Fixture      *fixture,
                  gconstpointer data)
{
  const char *expected[] = { "photo.jpg", "photo (1).jpg", "photo (2).jpg" };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GFileOutputStream) out = chat_file_create_unique (fixture->bob.dir, "photo.jpg", &file, &error);
      g_autofree char *base = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (out);
      g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (out), "x", i + 1, NULL, NULL, NULL));
      g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
      base = g_file_get_basename (file);
      g_assert_cmpstr (base, ==, expected[i]);
    }
  {
    g_autofree char *first = g_build_filename (fixture->bob.dir, "photo.jpg", NULL);
    g_autofree char *contents = NULL;

    /* the first file is untouched */
    g_assert_true (g_file_get_contents (first, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "x");
  }
}

static void
test_send_receive (Fixture      *fixture,
                   gconstpointer data)
{
  gsize size = 3 * CHAT_FILE_WINDOW * CHAT_FILE_CHUNK_BYTES + 12345;
  g_autofree char *path = offer (fixture, "data.bin", size);
  g_autofree char *want = file_sha256 (path);
  g_autofree char *got_path = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_assert_true (said (&fixture->bob, "/accept 1"));
  g_assert_true (said (&fixture->alice, "waiting for them to accept"));
  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, &error));
  g_assert_no_error (error);
  /* one line in each window shows the progress */
  g_assert_true (said (&fixture->bob, "[1] data.bin from alice:   0% [....................] 0 B of 6.0 MiB, 0 B/s"));
  deliver_one (&fixture->bob);
  deliver_one (&fixture->alice);
  g_assert_true (said (&fixture->alice, "[1] data.bin to bob:"));
  /* redrawn by a clock, not by each chunk */
  while (!said (&fixture->bob, "[1] data.bin from alice:   4% [....................] 256.0 KiB of 6.0 MiB") &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (said (&fixture->bob, "[1] data.bin from alice:   4% [....................] 256.0 KiB of 6.0 MiB"));
  deliver (fixture);
  got_path = g_build_filename (fixture->bob.dir, "data.bin", NULL);
  got = file_sha256 (got_path);
  g_assert_cmpstr (got, ==, want);
  g_assert_true (said (&fixture->bob, "SHA-256 verified"));
  g_assert_true (said (&fixture->alice, "sent to bob, SHA-256 verified by them"));
  /* the window held the sender back: never more than its chunks queued */
  g_assert_cmpuint (fixture->alice.max_outbox, <=, CHAT_FILE_WINDOW + 1);
  /* over: nothing left to accept or cancel */
  g_assert_false (chat_transfers_cancel (fixture->alice.transfers, 0, NULL));
  g_assert_false (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
}

static void
test_empty_file (Fixture      *fixture,
                 gconstpointer data)
{
  g_autofree char *path = offer (fixture, "empty", 0);
  g_autofree char *got = g_build_filename (fixture->bob.dir, "empty", NULL);

  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 1, NULL));
  deliver (fixture);
  g_assert_true (g_file_test (got, G_FILE_TEST_IS_REGULAR));
  g_assert_true (said (&fixture->alice, "SHA-256 verified by them"));
}

static void
test_reject (Fixture      *fixture,
             gconstpointer data)
{
  g_autofree char *path = offer (fixture, "nope.txt", 1000);

  g_assert_true (chat_transfers_reject (fixture->bob.transfers, 0, NULL));
  deliver (fixture);
  g_assert_true (said (&fixture->alice, "bob rejected it"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

/* A file of 40 chunks offered, accepted, the accept delivered: alice
 * has her first window of chunks queued. */
static char *
start_big (Fixture *fixture)
{
  char *path = offer (fixture, "big.bin", 40 * CHAT_FILE_CHUNK_BYTES);

  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  deliver_one (&fixture->bob);
  g_assert_cmpuint (fixture->alice.outbox.length, ==, CHAT_FILE_WINDOW);
  return path;
}

/* bob ignores alice: her offer is rejected, he sees nothing of it */
static void
test_ignored (Fixture      *fixture,
              gconstpointer data)
{
  g_autofree char *path = NULL;

  g_ptr_array_add (fixture->bob.model->ignored, g_strdup ("alice"));
  path = offer (fixture, "unwanted.bin", 1000);
  g_assert_true (said (&fixture->alice, "bob rejected it"));
  g_assert_false (said (&fixture->bob, "unwanted"));
  g_assert_false (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
}

static void
test_cancel_by_receiver (Fixture      *fixture,
                         gconstpointer data)
{
  g_autofree char *path = start_big (fixture);

  /* her first chunks reach bob, then bob cancels */
  for (guint i = 0; i < 3; i++)
    deliver_one (&fixture->alice);
  g_assert_true (chat_transfers_cancel (fixture->bob.transfers, 0, NULL));
  deliver (fixture);
  g_assert_true (said (&fixture->alice, "bob cancelled it (cancelled by the user)"));
  g_assert_true (said (&fixture->bob, "the partial file is deleted"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_cancel_by_sender (Fixture      *fixture,
                       gconstpointer data)
{
  g_autofree char *path = start_big (fixture);

  g_assert_true (chat_transfers_cancel (fixture->alice.transfers, 1, NULL));
  deliver (fixture);
  g_assert_true (said (&fixture->bob, "alice cancelled it"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_checksum_mismatch (Fixture      *fixture,
                        gconstpointer data)
{
  g_autofree char *path = offer (fixture, "changed.bin", 2 * CHAT_FILE_CHUNK_BYTES);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileIOStream) io = NULL;

  /* the file changes after the offer, same size: the hash tells */
  io = g_file_open_readwrite (file, NULL, NULL);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (io)), "changed", 7,
                                            NULL, NULL, NULL));
  g_assert_true (g_io_stream_close (G_IO_STREAM (io), NULL, NULL));
  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  deliver (fixture);
  g_assert_true (said (&fixture->bob, "its SHA-256 is not the one offered"));
  g_assert_true (said (&fixture->alice, "SHA-256 mismatch"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_not_protected (Fixture      *fixture,
                    gconstpointer data)
{
  ChatPeer *bob = chat_model_get_peer (fixture->alice.model, BOB_ID);
  g_autofree char *path = write_random_file (fixture->tmp, "secret.txt", 10);
  g_autoptr(GError) error = NULL;

  fixture->alice.plain = TRUE;
  g_assert_false (chat_transfers_offer (fixture->alice.transfers, bob, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  fixture->alice.plain = FALSE;
  /* the receiver refuses one over a plain link too */
  fixture->bob.plain = TRUE;
  g_clear_pointer (&path, g_free);
  path = offer (fixture, "secret.txt", 10);
  g_assert_true (said (&fixture->bob, "not end-to-end encrypted: refused"));
  g_assert_true (said (&fixture->alice, "not end-to-end encrypted"));
  g_assert_false (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
}

/* ---- a hostile sender: bob's peer writing messages by hand ---- */

static void
hostile (Fixture    *fixture,
         const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  chat_transfers_receive (fixture->bob.transfers, ALICE_ID, node);
}

#define SHA_OF_NOTHING "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_OF_ABC     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static gboolean
sent_back (Fixture    *fixture,
           const char *op,
           const char *reason)
{
  for (GList *l = fixture->bob.outbox.head; l != NULL; l = l->next)
    {
      JsonObject *object = json_node_get_object (((Queued *) l->data)->msg);

      if (g_str_equal (json_object_get_string_member (object, "file"), op) &&
          (reason == NULL || g_strcmp0 (json_object_get_string_member_with_default (object, "reason", ""),
                                        reason) == 0))
        return TRUE;
    }
  return FALSE;
}

/* An offer of @size bytes (hashed as "abc"), accepted, then "abc". */
static void
hostile_started (Fixture    *fixture,
                 const char *id,
                 guint       size)
{
  g_autofree char *offer_json = g_strdup_printf ("{\"file\":\"offer\",\"id\":\"%s\",\"name\":\"a\",\"size\":%u,"
                                                 "\"sha256\":\"" SHA_OF_ABC "\"}", id, size);
  g_autofree char *chunk_json = g_strdup_printf ("{\"file\":\"chunk\",\"id\":\"%s\",\"seq\":0,\"data\":\"YWJj\"}",
                                                 id);

  hostile (fixture, offer_json);
  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  hostile (fixture, chunk_json);
}

static void
test_hostile_name (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *escaped = g_build_filename (fixture->tmp, "bob", "evil", NULL);
  g_autofree char *inside = g_build_filename (fixture->bob.dir, "_evil", NULL);
  g_autofree char *contents = NULL;

  hostile (fixture, "{\"file\":\"offer\",\"id\":\"x1\",\"name\":\"../evil\",\"size\":3,\"sha256\":\"" SHA_OF_ABC "\"}");
  g_assert_true (said (&fixture->bob, "_evil"));
  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  hostile (fixture, "{\"file\":\"chunk\",\"id\":\"x1\",\"seq\":0,\"data\":\"YWJj\"}");
  g_assert_false (g_file_test (escaped, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (inside, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "abc");
  g_assert_true (said (&fixture->bob, "SHA-256 verified"));
  g_assert_true (sent_back (fixture, "ok", NULL));
}

static void
test_hostile_more_bytes (Fixture      *fixture,
                         gconstpointer data)
{
  hostile_started (fixture, "x2", 2);
  g_assert_true (said (&fixture->bob, "it sent more bytes than it offered"));
  g_assert_true (sent_back (fixture, "cancel", "more bytes than offered"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
  /* and what comes after is refused, not written */
  hostile (fixture, "{\"file\":\"chunk\",\"id\":\"x2\",\"seq\":1,\"data\":\"YWJj\"}");
  g_assert_true (sent_back (fixture, "cancel", "unknown transfer"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_hostile_fewer_bytes (Fixture      *fixture,
                          gconstpointer data)
{
  hostile_started (fixture, "x3", 6);
  hostile (fixture, "{\"file\":\"end\",\"id\":\"x3\"}");
  g_assert_true (said (&fixture->bob, "it stopped after 3 B of the 6 B it offered"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_hostile_not_accepted (Fixture      *fixture,
                           gconstpointer data)
{
  /* chunks for a transfer never offered */
  hostile (fixture, "{\"file\":\"chunk\",\"id\":\"ghost\",\"seq\":0,\"data\":\"YWJj\"}");
  g_assert_true (sent_back (fixture, "cancel", "unknown transfer"));
  /* and for one offered, not accepted */
  hostile (fixture, "{\"file\":\"offer\",\"id\":\"x4\",\"name\":\"a\",\"size\":3,\"sha256\":\"" SHA_OF_ABC "\"}");
  hostile (fixture, "{\"file\":\"chunk\",\"id\":\"x4\",\"seq\":0,\"data\":\"YWJj\"}");
  g_assert_true (said (&fixture->bob, "it sent data before you accepted"));
  g_assert_true (sent_back (fixture, "cancel", "data before the offer was accepted"));
  g_assert_false (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_hostile_endless (Fixture      *fixture,
                      gconstpointer data)
{
  g_autofree char *huge = g_strdup_printf ("{\"file\":\"offer\",\"id\":\"x5\",\"name\":\"a\",\"size\":%"
                                           G_GUINT64_FORMAT ",\"sha256\":\"" SHA_OF_ABC "\"}",
                                           G_GUINT64_CONSTANT (1) << 50);
  g_autofree char *chunk = NULL;
  g_autofree guchar *zeros = g_malloc0 (CHAT_FILE_CHUNK_BYTES);
  g_autofree char *encoded = g_base64_encode (zeros, CHAT_FILE_CHUNK_BYTES);

  /* an offer over the limit: refused before anything is written */
  hostile (fixture, huge);
  g_assert_true (said (&fixture->bob, "over your limit"));
  g_assert_true (sent_back (fixture, "cancel", "refused: larger than the receiver accepts"));
  g_assert_false (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  /* within the limit, then chunks without end: cut at the offered size */
  hostile (fixture, "{\"file\":\"offer\",\"id\":\"x6\",\"name\":\"a\",\"size\":1048576,\"sha256\":\"" SHA_OF_ABC "\"}");
  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  for (guint seq = 0; seq < 100; seq++)
    {
      g_free (chunk);
      chunk = g_strdup_printf ("{\"file\":\"chunk\",\"id\":\"x6\",\"seq\":%u,\"data\":\"%s\"}", seq, encoded);
      hostile (fixture, chunk);
    }
  g_assert_true (said (&fixture->bob, "its SHA-256 is not the one offered"));
  g_assert_true (sent_back (fixture, "cancel", "unknown transfer"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
  /* too many offers waiting: the ninth is refused */
  for (guint i = 0; i < CHAT_FILE_MAX_OFFERS + 1; i++)
    {
      g_autofree char *more = g_strdup_printf ("{\"file\":\"offer\",\"id\":\"o%u\",\"name\":\"a\",\"size\":0,"
                                               "\"sha256\":\"" SHA_OF_NOTHING "\"}", i);
      hostile (fixture, more);
    }
  g_assert_true (sent_back (fixture, "cancel", "refused: too many offers waiting"));
}

static void
test_hostile_bad_messages (Fixture      *fixture,
                           gconstpointer data)
{
  hostile (fixture, "{\"file\":\"offer\",\"id\":\"x7\",\"name\":\"a\",\"size\":3,\"sha256\":\"nothex\"}");
  g_assert_true (sent_back (fixture, "cancel", "bad offer"));
  hostile (fixture, "{\"file\":\"offer\",\"id\":\"x8\",\"size\":-1}");
  hostile (fixture, "{\"file\":42}");
  hostile (fixture, "{\"file\":\"offer\"}");
  hostile (fixture, "{\"file\":\"dance\",\"id\":\"x9\"}");
  g_assert_false (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  /* a chunk out of order ends the transfer */
  hostile (fixture, "{\"file\":\"offer\",\"id\":\"xa\",\"name\":\"a\",\"size\":6,\"sha256\":\"" SHA_OF_ABC "\"}");
  g_assert_true (chat_transfers_accept (fixture->bob.transfers, 0, NULL));
  hostile (fixture, "{\"file\":\"chunk\",\"id\":\"xa\",\"seq\":1,\"data\":\"YWJj\"}");
  g_assert_true (said (&fixture->bob, "it sent a bad chunk"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_stall (Fixture      *fixture,
            gconstpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  chat_transfers_set_stall_timeout (fixture->bob.transfers, 1);
  hostile_started (fixture, "xb", 6);
  while (!said (&fixture->bob, "no progress for too long") && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (said (&fixture->bob, "no progress for too long"));
  g_assert_true (sent_back (fixture, "cancel", "no progress for too long"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

static void
test_peer_gone (Fixture      *fixture,
                gconstpointer data)
{
  hostile_started (fixture, "xc", 6);
  chat_transfers_peer_gone (fixture->bob.transfers, ALICE_ID);
  g_assert_true (said (&fixture->bob, "the link is gone"));
  g_assert_cmpuint (files_in (fixture->bob.dir), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add ("/transfer/" name, Fixture, NULL, setup, func, teardown)
  g_test_add_func ("/transfer/sanitize", test_sanitize);
  ADD ("unique-name", test_unique_name);
  ADD ("send-receive", test_send_receive);
  ADD ("empty-file", test_empty_file);
  ADD ("reject", test_reject);
  ADD ("ignored", test_ignored);
  ADD ("cancel-by-receiver", test_cancel_by_receiver);
  ADD ("cancel-by-sender", test_cancel_by_sender);
  ADD ("checksum-mismatch", test_checksum_mismatch);
  ADD ("not-protected", test_not_protected);
  ADD ("hostile/name", test_hostile_name);
  ADD ("hostile/more-bytes", test_hostile_more_bytes);
  ADD ("hostile/fewer-bytes", test_hostile_fewer_bytes);
  ADD ("hostile/not-accepted", test_hostile_not_accepted);
  ADD ("hostile/endless", test_hostile_endless);
  ADD ("hostile/bad-messages", test_hostile_bad_messages);
  ADD ("stall", test_stall);
  ADD ("peer-gone", test_peer_gone);
  return g_test_run ();
}
