/* e2e-identity.c: identities on disk, fingerprints, pinning and verify-
 * peer
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE  /* memmem() */
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>

#include "e2e.h"

/* 3. Identity */

static mode_t
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  return st.st_mode & 0777;
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len,
            int         mode)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_CONSISTENT,
                                           mode, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
}

/* Loading @path into @socket fails and leaves its identity as it was. */
static void
assert_load_refused (AnySocket  *socket,
                     const char *path,
                     GQuark      domain,
                     int         code)
{
  g_autofree char *before = any_socket_dup_fingerprint (socket);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (any_socket_load_identity (socket, path, &error));
  g_assert_nonnull (error);
  g_test_message ("%s refused: %s", path, error->message);
  if (domain != 0)
    g_assert_error (error, domain, code);
  after = any_socket_dup_fingerprint (socket);
  g_assert_cmpstr (after, ==, before);
}

static void
test_identity_files (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anysocket-e2e-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *loose = NULL;
  g_autofree char *garbage = NULL;
  g_autofree char *short_key = NULL;
  g_autofree char *missing = NULL;
  g_autoptr(AnySocket) a = any_socket_new ();
  g_autoptr(AnySocket) b = any_socket_new ();
  g_autoptr(AnySocket) c = any_socket_new ();
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;
  g_autofree char *fc = NULL;
  g_autofree char *contents = NULL;
  guint8 noise[200];

  g_assert_no_error (error);
  path = g_build_filename (dir, "identity", NULL);
  loose = g_build_filename (dir, "loose", NULL);
  garbage = g_build_filename (dir, "garbage", NULL);
  short_key = g_build_filename (dir, "short", NULL);
  missing = g_build_filename (dir, "missing", NULL);

  fa = any_socket_dup_fingerprint (a);
  fb = any_socket_dup_fingerprint (b);
  assert_fingerprint_format (fa);
  assert_fingerprint_format (fb);
  g_assert_cmpstr (fa, !=, fb);

  /* Saved with mode 0600 ... */
  g_assert_true (any_socket_save_identity (a, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_mode (path), ==, 0600);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, fa));

  /* ... loaded into another socket: the same fingerprint. */
  g_assert_true (any_socket_load_identity (b, path, &error));
  g_assert_no_error (error);
  g_clear_pointer (&fb, g_free);
  fb = any_socket_dup_fingerprint (b);
  g_assert_cmpstr (fb, ==, fa);

  /* Saving over a file others can read gives a 0600 file too. */
  write_file (loose, "old", -1, 0644);
  g_assert_true (any_socket_save_identity (a, loose, &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_mode (loose), ==, 0600);

  /* A key file others can read or write is refused, as ssh does. */
  fc = any_socket_dup_fingerprint (c);
  g_assert_cmpint (g_chmod (loose, 0644), ==, 0);
  assert_load_refused (c, loose, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_chmod (loose, 0640), ==, 0);
  assert_load_refused (c, loose, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_chmod (loose, 0602), ==, 0);
  assert_load_refused (c, loose, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  g_assert_cmpint (g_chmod (loose, 0400), ==, 0);
  g_assert_true (any_socket_load_identity (c, loose, &error));
  g_assert_no_error (error);
  g_clear_pointer (&fc, g_free);
  fc = any_socket_dup_fingerprint (c);
  g_assert_cmpstr (fc, ==, fa);
  any_socket_generate_identity (c);
  g_clear_pointer (&fc, g_free);
  fc = any_socket_dup_fingerprint (c);
  assert_fingerprint_format (fc);
  g_assert_cmpstr (fc, !=, fa);

  /* Garbage (mode 0600) is refused. */
  for (guint i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_random_int_range (1, 256);
  write_file (garbage, (const char *) noise, sizeof noise, 0600);
  assert_load_refused (c, garbage, 0, 0);
  write_file (garbage, "[AnySocket Identity]\nversion=1\nprivate-key=not base64 at all!\n", -1, 0600);
  assert_load_refused (c, garbage, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  write_file (garbage, "[Something Else]\nkey=value\n", -1, 0600);
  assert_load_refused (c, garbage, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  write_file (garbage, "", 0, 0600);
  assert_load_refused (c, garbage, 0, 0);
  /* 31 bytes of key. */
  write_file (short_key, "[AnySocket Identity]\nversion=1\n"
              "private-key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n", -1, 0600);
  assert_load_refused (c, short_key, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_INVALID_ARGUMENT);
  assert_load_refused (c, missing, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_unlink (loose), ==, 0);
  g_assert_cmpint (g_unlink (garbage), ==, 0);
  g_assert_cmpint (g_unlink (short_key), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Peers using loaded identities present them. */
static void
test_identity_presented (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("anysocket-e2e-XXXXXX", &error);
  g_autofree char *server_path = g_build_filename (dir, "server", NULL);
  g_autofree char *client_path = g_build_filename (dir, "client", NULL);
  g_autoptr(AnySocket) server_keys = any_socket_new ();
  g_autoptr(AnySocket) client_keys = any_socket_new ();
  g_autofree char *server_fp = any_socket_dup_fingerprint (server_keys);
  g_autofree char *client_fp = any_socket_dup_fingerprint (client_keys);
  g_autofree char *seen_by_client = NULL;
  g_autofree char *seen_by_server = NULL;
  g_autofree char *own = NULL;
  Pair *pair;

  g_assert_no_error (error);
  g_assert_true (any_socket_save_identity (server_keys, server_path, &error));
  g_assert_true (any_socket_save_identity (client_keys, client_path, &error));
  g_assert_no_error (error);

  pair = pair_new ();
  g_assert_true (any_socket_load_identity (pair->server.socket, server_path, &error));
  g_assert_true (any_socket_load_identity (pair->client.socket, client_path, &error));
  g_assert_no_error (error);
  own = any_socket_dup_fingerprint (pair->server.socket);
  g_assert_cmpstr (own, ==, server_fp);

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  seen_by_client = any_peer_dup_remote_fingerprint (pair->client.peer);
  seen_by_server = any_peer_dup_remote_fingerprint (pair->server.peer);
  g_assert_cmpstr (seen_by_client, ==, server_fp);
  g_assert_cmpstr (seen_by_server, ==, client_fp);
  roundtrip (&pair->client);
  pair_free (pair);

  g_assert_cmpint (g_unlink (server_path), ==, 0);
  g_assert_cmpint (g_unlink (client_path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* 4. Pinning, TOFU, verify-peer */

/* A well-formed fingerprint that is not @fingerprint. */
static char *
wrong_fingerprint (const char *fingerprint)
{
  char *wrong = g_strdup (fingerprint);

  wrong[0] = wrong[0] == '9' ? '0' : wrong[0] + 1;
  return wrong;
}

static void
test_pin_right (void)
{
  Pair *pair = pair_new ();
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);

  any_socket_pin_fingerprint (pair->client.socket, any_socket_get_id (pair->server.socket), server_fp);
  any_socket_pin_fingerprint (pair->server.socket, any_socket_get_id (pair->client.socket), client_fp);
  g_assert_cmpstr (any_socket_get_pinned_fingerprint (pair->client.socket,
                                                      any_socket_get_id (pair->server.socket)), ==, server_fp);
  g_assert_null (any_socket_get_pinned_fingerprint (pair->client.socket, "0123456789abcdef0123456789abcdef"));

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  /* verify-peer runs after the pin check passed. */
  g_assert_cmpuint (pair->client.verified->len, ==, 1);
  g_assert_cmpuint (pair->server.verified->len, ==, 1);
  roundtrip (&pair->client);
  roundtrip (&pair->server);
  pair_free (pair);
}

/* A wrong pin on the side that checks: @pinning is the client (the
 * initiator, which checks after message 2) or the server (the responder,
 * which checks after message 3). */
static void
test_pin_wrong (gconstpointer data)
{
  gboolean server_pins = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  Side *pinning = server_pins ? &pair->server : &pair->client;
  Side *pinned = other_side (pinning);
  const char *pinned_id = any_socket_get_id (pinned->socket);
  g_autofree char *real = any_socket_dup_fingerprint (pinned->socket);
  g_autofree char *wrong = wrong_fingerprint (real);

  /* Pinned once connected: a link made after the pin would not connect
   * at all (test-pinned-*), this one switches when asked. */
  pair_connect (pair, FALSE);
  any_socket_pin_fingerprint (pinning->socket, pinned_id, wrong);
  send_numbered (&pair->client, 0);
  roundtrip (&pair->client);

  /* The client initiates; what it sends meanwhile waits for the switch
   * and is never delivered over a refused key. */
  any_peer_e2e (pair->client.peer);
  send_numbered (&pair->client, 1);
  WAIT_UNTIL (pinning->peer_reason != NULL && pinned->peer_reason != NULL);
  g_test_message ("%s: %s", pinning->name, pinning->peer_reason);
  assert_contains (pinning->peer_reason, pinned_id);
  assert_contains (pinning->peer_reason, "changed");
  assert_contains (pinning->peer_reason, real);
  assert_contains (pinning->peer_reason, wrong);
  g_assert_cmpstr (pinning->socket_reason, ==, pinning->peer_reason);
  g_assert_cmpuint (pinning->peer_e2e, ==, 0);
  g_assert_cmpuint (pinning->verified->len, ==, 0);
  g_assert_false (any_peer_is_connected (pinning->peer));
  g_assert_cmpint (any_peer_get_e2e_mode (pinning->peer), ==, ANY_E2E_MODE_NONE);
  g_assert_null (any_peer_dup_remote_fingerprint (pinning->peer));
  iterate_for (QUIET_MS);
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 1);
  pair_free (pair);
}

/* Trust on first use: pin what the first handshake showed; the same key
 * passes later, a new one is refused, forgetting the pin accepts it. */
static void
test_pin_tofu (void)
{
  Pair *pair = pair_new ();
  const char *server_id = any_socket_get_id (pair->server.socket);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *rotated = NULL;

  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  first = any_peer_dup_remote_fingerprint (pair->client.peer);
  any_socket_pin_fingerprint (pair->client.socket, server_id, first);

  pair_reconnect (pair);
  establish_native (pair, &pair->client);
  second = any_peer_dup_remote_fingerprint (pair->client.peer);
  g_assert_cmpstr (second, ==, first);

  /* The server gets a new key (same id): the new link is refused during
   * the switch it makes before it counts as connected. */
  any_socket_generate_identity (pair->server.socket);
  rotated = any_socket_dup_fingerprint (pair->server.socket);
  g_assert_cmpstr (rotated, !=, first);
  {
    g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u", pair->port);
    AsyncResult r = { 0 };

    any_peer_disconnect (pair->client.peer, "reconnecting");
    WAIT_UNTIL (pair->client.socket_reason != NULL && pair->server.socket_reason != NULL);
    side_reset (&pair->client);
    side_reset (&pair->server);
    any_socket_connect_async (pair->client.socket, url, NULL, on_connected, &r);
    WAIT_UNTIL (r.done);
    g_assert_null (r.peer);
    g_assert_nonnull (r.error);
    g_test_message ("client: %s", r.error->message);
    assert_contains (r.error->message, server_id);
    assert_contains (r.error->message, "changed");
    assert_contains (r.error->message, rotated);
    g_assert_null (pair->client.peer);
    g_clear_error (&r.error);
    /* The server, which pinned nothing, saw a link come and go. */
    WAIT_UNTIL (pair->server.socket_reason != NULL);
    side_reset (&pair->server);
  }

  /* Forgotten: accepted, with the new key. */
  any_socket_pin_fingerprint (pair->client.socket, server_id, NULL);
  g_assert_null (any_socket_get_pinned_fingerprint (pair->client.socket, server_id));
  pair_connect (pair, FALSE);
  establish_native (pair, &pair->client);
  g_clear_pointer (&second, g_free);
  second = any_peer_dup_remote_fingerprint (pair->client.peer);
  g_assert_cmpstr (second, ==, rotated);
  pair_free (pair);
}

static void
test_verify_peer_accept (void)
{
  Pair *pair = pair_new ();
  g_autofree char *server_fp = any_socket_dup_fingerprint (pair->server.socket);
  g_autofree char *client_fp = any_socket_dup_fingerprint (pair->client.socket);

  pair->client.accept_only = g_strdup (server_fp);
  pair->server.accept_only = g_strdup (client_fp);
  pair_connect (pair, FALSE);
  establish_native (pair, &pair->server);
  g_assert_cmpuint (pair->client.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->client.verified, 0), ==, server_fp);
  g_assert_cmpuint (pair->server.verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (pair->server.verified, 0), ==, client_fp);
  roundtrip (&pair->client);
  pair_free (pair);
}

static void
test_verify_peer_refuse (gconstpointer data)
{
  gboolean server_refuses = GPOINTER_TO_INT (data);
  Pair *pair = pair_new ();
  Side *refusing = server_refuses ? &pair->server : &pair->client;
  Side *refused = other_side (refusing);
  g_autofree char *refused_fp = any_socket_dup_fingerprint (refused->socket);

  refusing->refuse_all = TRUE;
  pair_connect (pair, FALSE);
  any_peer_e2e (pair->client.peer);
  send_numbered (&pair->client, 0);
  WAIT_UNTIL (refusing->peer_reason != NULL && refused->peer_reason != NULL);
  g_test_message ("%s: %s", refusing->name, refusing->peer_reason);
  assert_contains (refusing->peer_reason, refused_fp);
  assert_contains (refusing->peer_reason, any_socket_get_id (refused->socket));
  assert_contains (refusing->peer_reason, "refused");
  g_assert_cmpuint (refusing->verified->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (refusing->verified, 0), ==, refused_fp);
  g_assert_cmpuint (refusing->peer_e2e, ==, 0);
  g_assert_cmpint (any_peer_get_e2e_mode (refusing->peer), ==, ANY_E2E_MODE_NONE);
  iterate_for (QUIET_MS);
  g_assert_cmpuint (count_from (&pair->server, "client"), ==, 0);
  pair_free (pair);
}

void
e2e_add_identity_cases (void)
{
  g_test_add_func ("/e2e/identity/files", test_identity_files);
  g_test_add_func ("/e2e/identity/presented", test_identity_presented);
  g_test_add_func ("/e2e/pin/right", test_pin_right);
  g_test_add_data_func ("/e2e/pin/wrong/initiator-checks", GINT_TO_POINTER (FALSE), test_pin_wrong);
  g_test_add_data_func ("/e2e/pin/wrong/responder-checks", GINT_TO_POINTER (TRUE), test_pin_wrong);
  g_test_add_func ("/e2e/pin/tofu", test_pin_tofu);
  g_test_add_func ("/e2e/verify-peer/accept", test_verify_peer_accept);
  g_test_add_data_func ("/e2e/verify-peer/refuse/initiator", GINT_TO_POINTER (FALSE), test_verify_peer_refuse);
  g_test_add_data_func ("/e2e/verify-peer/refuse/responder", GINT_TO_POINTER (TRUE), test_verify_peer_refuse);
}
