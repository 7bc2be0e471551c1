/* bad-accept.c: before the WebSocket: broken upgrade requests (RFC 6455
 * 4.2.1) from raw TCP clients, and more connections than
 * AnySocket:max-connections allows
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Below the limit, how many clients connect; above it, how many more. */
#define LIMIT_CLIENTS 3
#define EXTRA_CLIENTS 5

/* A blocking connect(2) to loopback (the kernel completes it from the
 * backlog, whether the server accepted yet or not); the socket is then
 * made non-blocking for reads under the main loop. */
static int
tcp_connect (guint16 port)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = g_htons (port);
  addr.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (fcntl (fd, F_SETFL, O_NONBLOCK), ==, 0);
  return fd;
}

/* Sends @request on a new connection and returns what comes back until
 * the end of the answer's headers, the server closes, or WAIT_MS. */
static char *
http_exchange (Fixture    *fx,
               const char *request)
{
  int fd = tcp_connect ((guint16) fx->port);
  GString *answer = g_string_new (NULL);
  gboolean done = FALSE;
  gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;

  g_assert_cmpint (send (fd, request, strlen (request), MSG_NOSIGNAL), ==, (gssize) strlen (request));
  while (!done && g_get_monotonic_time () < deadline)
    {
      char buf[512];
      gssize n = recv (fd, buf, sizeof buf, 0);

      if (n > 0)
        g_string_append_len (answer, buf, n);
      done = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
             strstr (answer->str, "\r\n\r\n") != NULL;
      if (!done)
        g_main_context_iteration (NULL, TRUE);
    }
  close (fd);
  return g_string_free (answer, FALSE);
}

#define UPGRADE_HEAD "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" \
                     "Sec-WebSocket-Version: 13\r\n"

typedef struct {
  const char *name;
  const char *key_headers;
  const char *status;
} UpgradeCase;

static const UpgradeCase upgrade_cases[] = {
  { "valid", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "HTTP/1.1 101 " },
  { "empty-key", "Sec-WebSocket-Key: \r\n", "HTTP/1.1 400 " },
  { "two-keys", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n",
    "HTTP/1.1 400 " },
  { "two-keys-one-empty", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key:\r\n",
    "HTTP/1.1 400 " },
  { "empty-key-then-valid", "Sec-WebSocket-Key:\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
    "HTTP/1.1 400 " },
  { "empty-key-no-space", "Sec-WebSocket-Key:\r\n", "HTTP/1.1 400 " },
  { "key-15-bytes", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n", "HTTP/1.1 400 " },
  { "key-17-bytes", "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=\r\n", "HTTP/1.1 400 " },
  { "key-not-base64", "Sec-WebSocket-Key: !!!!!!!!!!!!!!!!!!!!!!==\r\n", "HTTP/1.1 400 " },
  { "key-unpadded", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n", "HTTP/1.1 400 " },
};

static void
test_upgrade_key (Fixture       *fx,
                  gconstpointer  data)
{
  const UpgradeCase *c = data;
  g_autofree char *request = g_strconcat (UPGRADE_HEAD, c->key_headers, "\r\n", NULL);
  g_autofree char *answer = http_exchange (fx, request);

  g_test_message ("answer: %.*s", (int) strcspn (answer, "\r"), answer);
  assert_prefix (answer, c->status);
  /* The answer may come within one turn of the main loop, before the
   * healthy client's next reply: it still gets one. */
  WAIT_FOR (fx->healthy->replied > fx->replied_at_start, WAIT_MS);
}

/* AnySocket:max-connections */

typedef struct {
  AnySocket *socket;
  AnyPeer   *peer;
  GError    *error;
} Client;

static Client *
client_connect (Fixture *fx)
{
  Client *client = g_new0 (Client, 1);

  client->socket = any_socket_new ();
  client->peer = connect_local (client->socket, fx->port, &client->error);
  return client;
}

/* A request and its reply (the fixture's server echoes). */
static void
client_expect_alive (Client *client)
{
  g_autoptr(JsonNode) msg = json_or_null ("{\"still\":\"here\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(AnyPacket) reply = NULL;

  g_assert_nonnull (client->peer);
  reply = request_local (client->peer, msg, WAIT_MS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
}

static void
client_free (Fixture *fx,
             Client  *client)
{
  g_autofree char *id = g_strdup (any_socket_get_id (client->socket));

  any_socket_stop (client->socket);
  if (client->peer != NULL)
    {
      WAIT_FOR (g_hash_table_contains (fx->disconnect_reasons, id), WAIT_MS);
      g_assert_true (g_hash_table_contains (fx->disconnect_reasons, id));
    }
  g_clear_object (&client->peer);
  g_clear_object (&client->socket);
  g_clear_error (&client->error);
  g_free (client);
}

/* The healthy client holds one connection; LIMIT_CLIENTS more fit, the
 * EXTRA_CLIENTS after them are closed at once, and nobody within the
 * limit notices. When one leaves, a newcomer fits again. */
static void
test_max_connections (Fixture       *fx,
                      gconstpointer  data)
{
  Client *within[LIMIT_CLIENTS];
  Client *late = NULL;

  any_socket_set_max_connections (fx->server, 1 + LIMIT_CLIENTS);
  g_assert_cmpuint (any_socket_get_max_connections (fx->server), ==, 1 + LIMIT_CLIENTS);

  for (guint i = 0; i < LIMIT_CLIENTS; i++)
    {
      within[i] = client_connect (fx);
      g_assert_no_error (within[i]->error);
    }
  for (guint i = 0; i < EXTRA_CLIENTS; i++)
    {
      Client *extra = client_connect (fx);

      g_assert_nonnull (extra->error);
      g_test_message ("extra client %u: %s", i, extra->error ? extra->error->message : "(connected)");
      client_free (fx, extra);
    }
  for (guint i = 0; i < LIMIT_CLIENTS; i++)
    client_expect_alive (within[i]);

  /* One leaves: its place is free once its socket is gone (the close
   * handshake may take a moment), and no sooner. */
  client_free (fx, within[0]);
  for (guint attempt = 0; attempt < 50 && (late == NULL || late->error != NULL); attempt++)
    {
      if (late != NULL)
        {
          client_free (fx, late);
          iterate_for (20);
        }
      late = client_connect (fx);
    }
  g_assert_no_error (late->error);
  client_expect_alive (late);
  for (guint i = 1; i < LIMIT_CLIENTS; i++)
    client_expect_alive (within[i]);

  client_free (fx, late);
  for (guint i = 1; i < LIMIT_CLIENTS; i++)
    client_free (fx, within[i]);
}

void
badinput_add_accept_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (upgrade_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/badinput/upgrade/%s", upgrade_cases[i].name);

      g_test_add (path, Fixture, &upgrade_cases[i], fixture_setup, test_upgrade_key, fixture_teardown);
    }

  ADD ("accept/max-connections", NULL, test_max_connections);
}
