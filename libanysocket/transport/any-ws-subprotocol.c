/* any-ws-subprotocol.c: choosing the WebSocket subprotocol a server
 * answers
 *
 * A browser running npm anysocket's bundle calls `new WebSocket(url,
 * null)` and so offers the subprotocol "null"; it then fails a 101
 * without a Sec-WebSocket-Protocol answer. Node's `ws` server echoes the
 * first offered subprotocol unless the application chooses; so does
 * AnySocket unless AnySocket:ws-protocols lists the accepted ones. Then
 * the client's order decides (the first offered that is accepted), and
 * an offer with none of them is refused with 400 (libsoup's choice for
 * its own protocol lists; `ws` would answer 101 without the header,
 * which every client then fails with a less clear error).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-ws-subprotocol.h"

/* RFC 7230 3.2.6 tchar */
static gboolean
is_token (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && strchr ("!#$%&'*+-.^_`|~", *s) == NULL)
      return FALSE;
  return TRUE;
}

GStrv
any_ws_subprotocol_parse (const char *header)
{
  g_auto(GStrv) parts = g_strsplit (header, ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (!is_token (parts[i]))
        return NULL;
      g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

const char *
any_ws_subprotocol_choose (const char * const *offered,
                           const char * const *accepted)
{
  if (offered == NULL || offered[0] == NULL)
    return NULL;
  if (accepted == NULL)
    return offered[0];
  for (guint i = 0; offered[i] != NULL; i++)
    if (g_strv_contains (accepted, offered[i]))
      return offered[i];
  return NULL;
}

const char *
any_ws_subprotocol_answer (const char          *header,
                           const char * const  *accepted,
                           char               **chosen)
{
  g_auto(GStrv) offered = NULL;
  const char *choice;

  *chosen = NULL;
  if (header == NULL)
    return NULL;
  offered = any_ws_subprotocol_parse (header);
  if (offered == NULL)
    return "Invalid Sec-WebSocket-Protocol header";
  choice = any_ws_subprotocol_choose ((const char * const *) offered, accepted);
  if (choice == NULL)
    return "Unsupported WebSocket subprotocol";
  *chosen = g_strdup (choice);
  return NULL;
}

char *
any_ws_subprotocol_offer (const char * const *protocols)
{
  if (protocols == NULL || protocols[0] == NULL)
    return NULL;
  return g_strjoinv (", ", (char **) protocols);
}
