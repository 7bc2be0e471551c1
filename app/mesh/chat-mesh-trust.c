/* chat-mesh-trust.c: accepting a known peer's new key (/trust)
 *
 * A known peer (a stable uid in known-peers) that comes back with
 * another key is refused by the library, and anychat warns. The key may
 * have changed for a good reason (a reinstall): once the person confirms
 * the new fingerprint out of band, /trust replaces the remembered key, so
 * that the next link with that key is accepted (as unverified). Until
 * then the refused key is kept here, per uid, with the nick it gave.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mesh/chat-mesh.h"
#include "mesh/chat-mesh-private.h"

/* A refused key of a uid: the nick it gave, the fingerprint it showed. */
typedef struct {
  char *nick;
  char *fingerprint;
} ChangedKey;

static void
changed_key_free (gpointer data)
{
  ChangedKey *key = data;

  g_free (key->nick);
  g_free (key->fingerprint);
  g_free (key);
}

void
chat_mesh_trust_init (ChatMesh *mesh)
{
  mesh->changed_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, changed_key_free);
}

/* The fingerprint a refusal names as presented (any-trust.c:
 * "... changed (pinned FP, presented FP)"), or NULL. */
static char *
presented_fingerprint (const char *reason)
{
  const char *start = strstr (reason, "presented ");
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen ("presented ");
  end = strchr (start, ')');
  if (end == NULL || end == start)
    return NULL;
  for (const char *p = start; p < end; p++)
    if (!g_ascii_isdigit (*p) && *p != ' ')
      return NULL;
  return g_strndup (start, end - start);
}

/* @auth: the AUTH object of the refused link (its uid and nick). */
void
chat_mesh_trust_note_refused (ChatMesh   *mesh,
                              JsonObject *auth,
                              const char *reason)
{
  const char *uid = auth != NULL ? chat_json_string_member (auth, "uid") : NULL;
  const char *nick = auth != NULL ? chat_json_string_member (auth, "nick") : NULL;
  g_autofree char *fingerprint = presented_fingerprint (reason);
  g_autofree char *clean = chat_nick_sanitize (nick != NULL ? nick : "");
  g_autofree char *known = uid != NULL ? chat_known_peers_fingerprint (mesh->known, uid) : NULL;
  ChangedKey *key;

  /* bounded: one entry per known uid at most */
  if (known == NULL || fingerprint == NULL || clean == NULL)
    return;
  key = g_new0 (ChangedKey, 1);
  key->nick = g_steal_pointer (&clean);
  key->fingerprint = g_steal_pointer (&fingerprint);
  g_hash_table_replace (mesh->changed_keys, g_strdup (uid), key);
}

/* The refused key that @nick gave and its uid (transfer none), or NULL
 * and @error set. */
static ChangedKey *
find_by_nick (ChatMesh    *mesh,
              const char  *nick,
              const char **uid,
              GError     **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, mesh->changed_keys);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (((ChangedKey *) value)->nick, nick))
      {
        *uid = key;
        return value;
      }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("No new key of %s was refused: nothing to trust"), nick);
  return NULL;
}

gboolean
chat_mesh_changed_key (ChatMesh    *mesh,
                       const char  *nick,
                       char       **known,
                       char       **presented,
                       GError     **error)
{
  const char *uid = NULL;
  ChangedKey *key = find_by_nick (mesh, nick, &uid, error);

  if (key == NULL)
    return FALSE;
  *known = chat_known_peers_fingerprint (mesh->known, uid);
  *presented = g_strdup (key->fingerprint);
  return TRUE;
}

gboolean
chat_mesh_trust_changed_key (ChatMesh    *mesh,
                             const char  *nick,
                             GError     **error)
{
  const char *uid = NULL;
  ChangedKey *key = find_by_nick (mesh, nick, &uid, error);

  if (key == NULL)
    return FALSE;
  /* unverified: the user compared it once, but /verify is for a live link */
  if (!chat_known_peers_remember (mesh->known, uid, key->nick, key->fingerprint, FALSE, error))
    return FALSE;
  g_hash_table_remove (mesh->changed_keys, uid);
  return TRUE;
}
