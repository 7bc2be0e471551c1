/* any-ws-upgrade.c: the WebSocket upgrade of a plain ws:// connection,
 * answered without libsoup
 *
 * Through libsoup, a new connection costs a SoupServerConnection, a
 * SoupServerMessage, its IO sources and the parsing into
 * SoupMessageHeaders, about 80 µs of server CPU (issue 14). Most clients
 * send one plain request: any-ws-server.c peeks at it (MSG_PEEK: nothing
 * is consumed), and when it is a well-formed HTTP/1.1 GET that libsoup and
 * we would answer with a 101 anyway, it is answered here: the 101 is
 * written, the request's head consumed, and the socket given to
 * any-ws-link.c; what the client sent after the head stays in the socket
 * for the link.
 *
 * Anything else is declined, and libsoup answers it exactly as before:
 * plain HTTP, other methods, HTTP/1.0, absolute or "*" targets, bytes
 * outside printable ASCII (libsoup's own repairs of those apply there),
 * bare LF, folded or nameless header lines, a body (Content-Length,
 * Transfer-Encoding, Expect), a missing or repeated Host, Upgrade or
 * version, no "upgrade" in Connection (or a quoted one), any
 * Sec-WebSocket-Key but exactly one valid one, a subprotocol offer the
 * server refuses, an extension offer when the server offers
 * permessage-deflate (libsoup negotiates it; without it, libsoup ignores
 * the offer, and so does this), a head over ANY_WS_UPGRADE_MAX_HEAD.
 * Declining is always safe: every 400 comes from libsoup's path.
 *
 * The upgrade request handed up (AnyUpgradeRequest) has the same path and
 * query (the same GUri parse as libsoup's), and the headers as sent.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "transport/any-ws-upgrade.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <libsoup/soup.h>

#include "codec/any-base64.h"
#include "transport/any-ws-link.h"
#include "transport/any-ws-subprotocol.h"

#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* Header lines answered here at most. */
#define MAX_FIELDS 64

static guint upgrades;

typedef struct {
  const char *name;
  gsize       name_len;
  const char *value;
  gsize       value_len;
} Field;

gboolean
any_ws_upgrade_key_is_valid (const char *key,
                             gsize       len)
{
  g_autoptr(GByteArray) decoded = NULL;

  /* 16 bytes are 24 characters (the strict decoder wants the padding). */
  if (len != 24)
    return FALSE;
  decoded = g_byte_array_sized_new (18);
  return any_base64_decode_strict ((const guint8 *) key, len, decoded) && decoded->len == 16;
}

char *
any_ws_upgrade_accept_key (const char *key,
                           gssize      len)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_checksum_update (sha1, (const guchar *) key, len);
  g_checksum_update (sha1, (const guchar *) WEBSOCKET_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

void
any_ws_upgrade_clear (AnyWsUpgrade *upgrade)
{
  g_clear_pointer (&upgrade->accept, g_free);
  g_clear_pointer (&upgrade->protocol, g_free);
  g_clear_pointer (&upgrade->request, any_upgrade_request_unref);
  upgrade->head_len = 0;
}

/* RFC 9110 5.6.2 tchar */
static gboolean
is_tchar (guchar c)
{
  return c != '\0' && (g_ascii_isalnum (c) || strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Printable ASCII, HTAB, and CRLF line ends only (a CR last in @data may
 * be followed by its LF later). */
static gboolean
plain_bytes (const char *data,
             gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];

      if (c == '\r')
        {
          if (i + 1 < len && data[i + 1] != '\n')
            return FALSE;
        }
      else if (c == '\n')
        {
          if (i == 0 || data[i - 1] != '\r')
            return FALSE;
        }
      else if (c != '\t' && (c < 0x20 || c > 0x7e))
        return FALSE;
    }
  return TRUE;
}

static gboolean
field_is (const Field *field,
          const char  *name)
{
  return field->name_len == strlen (name) && g_ascii_strncasecmp (field->name, name, field->name_len) == 0;
}

static gboolean
value_is (const Field *field,
          const char  *value)
{
  return field->value_len == strlen (value) && g_ascii_strncasecmp (field->value, value, field->value_len) == 0;
}

/* Whether a Connection value lists the token "upgrade" (no quotes). */
static gboolean
lists_upgrade (const Field *field)
{
  const char *p = field->value, *end = field->value + field->value_len;

  while (p < end)
    {
      const char *comma = memchr (p, ',', (gsize) (end - p));
      const char *item_end = comma != NULL ? comma : end;

      while (p < item_end && (*p == ' ' || *p == '\t'))
        p++;
      while (item_end > p && (item_end[-1] == ' ' || item_end[-1] == '\t'))
        item_end--;
      if (item_end - p == 7 && g_ascii_strncasecmp (p, "upgrade", 7) == 0)
        return TRUE;
      p = comma != NULL ? comma + 1 : end;
    }
  return FALSE;
}

/* The request line and header fields of the head [data, data + len),
 * which ends with its blank line: FALSE if any is not plain. */
static gboolean
split_head (const char  *data,
            gsize        len,
            const char **target,
            gsize       *target_len,
            Field       *fields,
            guint       *n_fields)
{
  const char *end = data + len - 2;   /* the blank line */
  const char *line_end = memchr (data, '\r', len);
  const char *p = data + 4;           /* "GET " */

  *target = p;
  while (p < line_end && *p != ' ' && *p != '\t')
    p++;
  *target_len = (gsize) (p - *target);
  if (*target_len == 0 || **target != '/' || line_end - p != 9 || memcmp (p, " HTTP/1.1", 9) != 0)
    return FALSE;

  *n_fields = 0;
  for (p = line_end + 2; p < end; p = line_end + 2)
    {
      const char *colon, *value;
      Field *field;

      line_end = memchr (p, '\r', (gsize) (end - p));
      colon = memchr (p, ':', (gsize) (line_end - p));
      if (colon == NULL || colon == p || *n_fields == MAX_FIELDS)
        return FALSE;
      for (const char *q = p; q < colon; q++)
        if (!is_tchar ((guchar) *q))
          return FALSE;
      value = colon + 1;
      while (value < line_end && (*value == ' ' || *value == '\t'))
        value++;
      field = &fields[(*n_fields)++];
      field->name = p;
      field->name_len = (gsize) (colon - p);
      field->value = value;
      field->value_len = (gsize) (line_end - value);
      while (field->value_len > 0 && (value[field->value_len - 1] == ' ' || value[field->value_len - 1] == '\t'))
        field->value_len--;
    }
  return TRUE;
}

/* The path and query libsoup would give (parse_headers() in its HTTP/1
 * server: the same URI built the same way); NULL where it answers 400. */
static AnyUpgradeRequest *
new_request (const Field *host,
             const char  *target,
             gsize        target_len)
{
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;

  if (memchr (host->value, '/', host->value_len) != NULL)
    return NULL;
  url = g_strdup_printf ("http://%.*s%.*s", (int) host->value_len, host->value, (int) target_len, target);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  return any_upgrade_request_new (g_uri_get_path (uri), g_uri_get_query (uri));
}

static AnyWsUpgradeStatus
check_fields (const Field        *fields,
              guint               n_fields,
              const char         *target,
              gsize               target_len,
              const char * const *protocols,
              gboolean            deflate,
              AnyWsUpgrade       *upgrade)
{
  const Field *host = NULL, *key = NULL;
  guint hosts = 0, upgrades_asked = 0, versions = 0, keys = 0, offers = 0;
  gboolean connection_upgrade = FALSE, websocket = FALSE, version_13 = FALSE;
  g_autoptr(GString) offered = NULL;
  const char *refusal;

  for (guint i = 0; i < n_fields; i++)
    {
      const Field *f = &fields[i];

      if (field_is (f, "Host"))
        host = f, hosts++;
      else if (field_is (f, "Upgrade"))
        websocket = value_is (f, "websocket"), upgrades_asked++;
      else if (field_is (f, "Connection"))
        {
          if (memchr (f->value, '"', f->value_len) != NULL)
            return ANY_WS_UPGRADE_DECLINED;
          connection_upgrade |= lists_upgrade (f);
        }
      else if (field_is (f, "Sec-WebSocket-Version"))
        version_13 = value_is (f, "13"), versions++;
      else if (field_is (f, "Sec-WebSocket-Key"))
        key = f, keys++;
      else if (field_is (f, "Sec-WebSocket-Protocol"))
        {
          /* All its lines as one list, as libsoup reads them. */
          if (offered == NULL)
            offered = g_string_new (NULL);
          else
            g_string_append (offered, ", ");
          g_string_append_len (offered, f->value, (gssize) f->value_len);
        }
      else if (field_is (f, "Sec-WebSocket-Extensions"))
        offers++;
      else if (field_is (f, "Content-Length") || field_is (f, "Transfer-Encoding") || field_is (f, "Expect"))
        return ANY_WS_UPGRADE_DECLINED;
    }
  if (hosts != 1 || upgrades_asked != 1 || !websocket || !connection_upgrade || versions != 1 || !version_13 ||
      keys != 1 || !any_ws_upgrade_key_is_valid (key->value, key->value_len) || (deflate && offers > 0))
    return ANY_WS_UPGRADE_DECLINED;

  refusal = any_ws_subprotocol_answer (offered != NULL ? offered->str : NULL, protocols, &upgrade->protocol);
  if (refusal != NULL)
    return ANY_WS_UPGRADE_DECLINED;
  upgrade->request = new_request (host, target, target_len);
  if (upgrade->request == NULL)
    return ANY_WS_UPGRADE_DECLINED;
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *name = g_strndup (fields[i].name, fields[i].name_len);
      g_autofree char *value = g_strndup (fields[i].value, fields[i].value_len);

      any_upgrade_request_add_header (upgrade->request, name, value);
    }
  upgrade->accept = any_ws_upgrade_accept_key (key->value, (gssize) key->value_len);
  return ANY_WS_UPGRADE_READY;
}

AnyWsUpgradeStatus
any_ws_upgrade_parse (const char         *data,
                      gsize               len,
                      const char * const *protocols,
                      gboolean            deflate,
                      AnyWsUpgrade       *upgrade)
{
  gsize scan = MIN (len, ANY_WS_UPGRADE_MAX_HEAD);
  const char *end;
  const char *target;
  gsize target_len;
  Field fields[MAX_FIELDS];
  guint n_fields;
  AnyWsUpgradeStatus status;

  memset (upgrade, 0, sizeof *upgrade);
  if (memcmp (data, "GET ", MIN (scan, 4)) != 0)
    return ANY_WS_UPGRADE_DECLINED;
  /* A NUL stops the search: plain_bytes() declines it. */
  end = g_strstr_len (data, (gssize) scan, "\r\n\r\n");
  if (end == NULL)
    {
      if (!plain_bytes (data, scan) || scan >= ANY_WS_UPGRADE_MAX_HEAD)
        return ANY_WS_UPGRADE_DECLINED;
      return ANY_WS_UPGRADE_INCOMPLETE;
    }
  upgrade->head_len = (gsize) (end - data) + 4;
  if (!plain_bytes (data, upgrade->head_len) ||
      !split_head (data, upgrade->head_len, &target, &target_len, fields, &n_fields))
    status = ANY_WS_UPGRADE_DECLINED;
  else
    status = check_fields (fields, n_fields, target, target_len, protocols, deflate, upgrade);
  if (status != ANY_WS_UPGRADE_READY)
    any_ws_upgrade_clear (upgrade);
  return status;
}

AnyTransport *
any_ws_upgrade_answer (GSocketConnection  *connection,
                       const AnyWsUpgrade *upgrade)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  int fd = g_socket_get_fd (socket);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autofree char *answer = NULL;
  g_autofree char *head = g_malloc (upgrade->head_len);
  gssize len;

  /* libsoup's answer but Date (optional in a 1xx, RFC 9110 6.6.1). */
  answer = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\nServer: libanysocket\r\n"
                            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s%s%s\r\n",
                            upgrade->accept, upgrade->protocol != NULL ? "Sec-WebSocket-Protocol: " : "",
                            upgrade->protocol != NULL ? upgrade->protocol : "",
                            upgrade->protocol != NULL ? "\r\n" : "");
  len = (gssize) strlen (answer);
  /* The head is in the socket already (peeked): this takes it all. A new
   * socket's buffer takes the answer whole. */
  if (recv (fd, head, upgrade->head_len, MSG_DONTWAIT) != (gssize) upgrade->head_len ||
      send (fd, answer, (gsize) len, MSG_NOSIGNAL | MSG_DONTWAIT) != len)
    {
      g_debug ("Could not answer a WebSocket upgrade: %s", g_strerror (errno));
      return NULL;
    }
  g_atomic_int_inc (&upgrades);
  return any_ws_link_new (G_IO_STREAM (connection), TRUE, NULL, 0, remote);
}

guint
any_ws_upgrade_count (void)
{
  return (guint) g_atomic_int_get (&upgrades);
}
