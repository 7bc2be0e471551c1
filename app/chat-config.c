/* chat-config.c: settings, identity paths and known peers (XDG config)
 *
 * Everything persistent lives under the XDG directories:
 *   $XDG_CONFIG_HOME/anychat/anychat.conf   settings (GKeyFile, optional)
 *   $XDG_CONFIG_HOME/anychat/identity       E2E key pair (libanysocket, 0600)
 *   $XDG_CONFIG_HOME/anychat/id             stable identity, 32 hex (0600)
 *   $XDG_CONFIG_HOME/anychat/known-peers    TOFU fingerprints (0600)
 *   $XDG_DATA_HOME/anychat/logs/            one log per conversation
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "chat-config.h"
#include "chat-transfer.h"
#include "chat-protocol.h"

#define GROUP "anychat"

/* The XDG download folder, or ~/Downloads/anychat without one. */
static char *
default_downloads (void)
{
  const char *xdg = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);

  if (xdg != NULL && g_strcmp0 (xdg, g_get_home_dir ()) != 0)
    return g_strdup (xdg);
  return g_build_filename (g_get_home_dir (), "Downloads", "anychat", NULL);
}

ChatConfig *
chat_config_new (void)
{
  ChatConfig *config = g_new0 (ChatConfig, 1);

  config->dir = g_build_filename (g_get_user_config_dir (), "anychat", NULL);
  config->data_dir = g_build_filename (g_get_user_data_dir (), "anychat", NULL);
  config->nick = g_strdup (g_get_user_name ());
  config->listen = g_new0 (char *, 2);
  config->listen[0] = g_strdup_printf ("ws://0.0.0.0:%d", CHAT_DEFAULT_PORT);
  config->listen_default = TRUE;
  config->connect = g_new0 (char *, 1);
  config->log = TRUE;
  config->ignore = g_new0 (char *, 1);
  config->rooms = g_new0 (char *, 1);
  config->bell = TRUE;
  config->downloads = default_downloads ();
  config->max_file_size = (guint64) CHAT_FILE_DEFAULT_MAX_MIB * 1024 * 1024;
  config->heartbeat_ms = 5000;
  config->own_colour = g_strdup ("green");
  config->notice_colour = g_strdup ("cyan");
  return config;
}

void
chat_config_free (ChatConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->dir);
  g_free (config->data_dir);
  g_free (config->file);
  g_free (config->nick);
  g_strfreev (config->listen);
  g_free (config->cert);
  g_free (config->key);
  g_strfreev (config->connect);
  g_strfreev (config->ignore);
  g_strfreev (config->rooms);
  g_free (config->own_colour);
  g_free (config->notice_colour);
  g_free (config->downloads);
  g_free (config);
}

char *
chat_config_path (ChatConfig *config,
                  const char *name)
{
  return g_build_filename (config->dir, name, NULL);
}

static void
replace_string (GKeyFile    *file,
                const char  *group,
                const char  *key,
                char       **value)
{
  g_autofree char *read = g_key_file_get_string (file, group, key, NULL);

  if (read != NULL)
    {
      g_free (*value);
      *value = g_steal_pointer (&read);
    }
}

static void
replace_list (GKeyFile   *file,
              const char *key,
              char     ***value)
{
  char **read = g_key_file_get_string_list (file, GROUP, key, NULL, NULL);

  if (read != NULL)
    {
      g_strfreev (*value);
      *value = read;
    }
}

/* @file NULL: the default file, which may be missing. A file named with
 * --config must exist. */
gboolean
chat_config_load (ChatConfig  *config,
                  const char  *file,
                  GError     **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  g_free (config->file);
  config->file = file != NULL ? g_strdup (file) : chat_config_path (config, "anychat.conf");
  if (!g_key_file_load_from_file (keys, config->file, G_KEY_FILE_NONE, &local_error))
    {
      if (file == NULL && g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", config->file);
      return FALSE;
    }
  replace_string (keys, GROUP, "nick", &config->nick);
  if (g_key_file_has_key (keys, GROUP, "listen", NULL))
    config->listen_default = FALSE;
  replace_list (keys, "listen", &config->listen);
  replace_string (keys, GROUP, "cert", &config->cert);
  replace_string (keys, GROUP, "key", &config->key);
  replace_list (keys, "connect", &config->connect);
  replace_list (keys, "ignore", &config->ignore);
  replace_list (keys, "rooms", &config->rooms);
  if (g_key_file_has_key (keys, GROUP, "log", NULL))
    config->log = g_key_file_get_boolean (keys, GROUP, "log", NULL);
  if (g_key_file_has_key (keys, GROUP, "bell", NULL))
    config->bell = g_key_file_get_boolean (keys, GROUP, "bell", NULL);
  if (g_key_file_has_key (keys, GROUP, "mouse", NULL))
    config->mouse = g_key_file_get_boolean (keys, GROUP, "mouse", NULL);
  if (g_key_file_has_key (keys, GROUP, "heartbeat", NULL))
    config->heartbeat_ms = CLAMP (g_key_file_get_integer (keys, GROUP, "heartbeat", NULL), 0, 600000);
  if (g_key_file_has_key (keys, GROUP, "downloads", NULL))
    {
      g_autofree char *dir = g_key_file_get_string (keys, GROUP, "downloads", NULL);

      g_free (config->downloads);
      config->downloads = dir != NULL && g_str_has_prefix (dir, "~/") ?
                          g_build_filename (g_get_home_dir (), dir + 2, NULL) : g_strdup (dir);
    }
  if (g_key_file_has_key (keys, GROUP, "max-file-mib", NULL))
    config->max_file_size = (guint64) CLAMP (g_key_file_get_int64 (keys, GROUP, "max-file-mib", NULL), 0,
                                              G_GINT64_CONSTANT (1) << 40) * 1024 * 1024;
  replace_string (keys, "colors", "own", &config->own_colour);
  replace_string (keys, "colors", "notice", &config->notice_colour);
  return TRUE;
}

GTlsCertificate *
chat_config_load_certificate (const char  *cert,
                              const char  *key,
                              GError     **error)
{
  GTlsCertificate *certificate;

  if (cert == NULL && key == NULL)
    return NULL;
  if (cert == NULL || key == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("A certificate needs both --cert and --key"));
      return NULL;
    }
  certificate = g_tls_certificate_new_from_files (cert, key, error);
  if (certificate == NULL)
    g_prefix_error (error, _("Cannot load the certificate %s and its key %s: "), cert, key);
  return certificate;
}

static gboolean
make_dir (const char *dir,
          GError    **error)
{
  if (g_mkdir_with_parents (dir, 0700) == 0)
    return TRUE;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
               _("Cannot create %s: %s"), dir, g_strerror (errno));
  return FALSE;
}

/* /nick, /ignore, /join last: the key goes into the settings file in
 * use (the default one is made if missing), its comments and other
 * keys kept, replaced in one rename so that a crash never leaves half
 * a file. @nick or @list is the new value. */
static gboolean
save_key (ChatConfig  *config,
          const char  *key,
          const char  *nick,
          GStrv        list,
          GError     **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;

  /* no settings file was read (chat_config_load()): in memory only */
  if (config->file == NULL)
    return TRUE;
  dir = g_path_get_dirname (config->file);
  if (!g_key_file_load_from_file (keys, config->file, G_KEY_FILE_KEEP_COMMENTS, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", config->file);
      return FALSE;
    }
  if (!make_dir (dir, error))
    return FALSE;
  if (nick != NULL)
    g_key_file_set_string (keys, GROUP, key, nick);
  else
    g_key_file_set_string_list (keys, GROUP, key, (const char * const *) list, g_strv_length (list));
  return g_key_file_save_to_file (keys, config->file, error);
}

gboolean
chat_config_save_nick (ChatConfig  *config,
                       const char  *nick,
                       GError     **error)
{
  g_free (config->nick);
  config->nick = g_strdup (nick);
  return save_key (config, "nick", nick, NULL, error);
}

/* "ignore" or "rooms" */
gboolean
chat_config_save_list (ChatConfig  *config,
                       const char  *key,
                       GStrv        values,
                       GError     **error)
{
  char ***field = g_str_equal (key, "ignore") ? &config->ignore : &config->rooms;

  g_strfreev (*field);
  *field = g_strdupv (values);
  return save_key (config, key, NULL, values, error);
}

gboolean
chat_config_ensure_dirs (ChatConfig *config,
                         GError    **error)
{
  g_autofree char *logs = g_build_filename (config->data_dir, "logs", NULL);

  return make_dir (config->dir, error) && make_dir (logs, error);
}

/* The socket id changes every run (libanysocket draws it), so anychat
 * keeps its own stable id, sent in AUTH and hello, to key TOFU pins and
 * private logs. Created on first run. */
char *
chat_config_ensure_uid (ChatConfig *config,
                        gboolean   *created,
                        GError    **error)
{
  g_autofree char *path = chat_config_path (config, "id");
  g_autofree char *uid = NULL;

  *created = FALSE;
  if (g_file_get_contents (path, &uid, NULL, NULL))
    {
      g_strstrip (uid);
      if (chat_id_is_valid (uid))
        return g_steal_pointer (&uid);
    }
  g_free (uid);
  uid = chat_message_new_mid ();
  if (!g_file_set_contents_full (path, uid, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;
  *created = TRUE;
  return g_steal_pointer (&uid);
}

ChatKnownPeers *
chat_known_peers_load (const char *path)
{
  ChatKnownPeers *known = g_new0 (ChatKnownPeers, 1);

  known->path = g_strdup (path);
  known->file = g_key_file_new ();
  /* a missing or broken file: nobody known yet */
  g_key_file_load_from_file (known->file, path, G_KEY_FILE_NONE, NULL);
  return known;
}

void
chat_known_peers_free (ChatKnownPeers *known)
{
  if (known == NULL)
    return;
  g_free (known->path);
  g_key_file_unref (known->file);
  g_free (known);
}

char *
chat_known_peers_fingerprint (ChatKnownPeers *known,
                              const char     *uid)
{
  return uid != NULL ? g_key_file_get_string (known->file, uid, "fingerprint", NULL) : NULL;
}

gboolean
chat_known_peers_is_verified (ChatKnownPeers *known,
                              const char     *uid)
{
  return uid != NULL && g_key_file_get_boolean (known->file, uid, "verified", NULL);
}

/* @nick is that of a verified identity other than @uid and @node_id. */
gboolean
chat_known_peers_nick_is_other (ChatKnownPeers *known,
                                const char     *nick,
                                const char     *uid,
                                const char     *node_id)
{
  g_auto(GStrv) groups = g_key_file_get_groups (known->file, NULL);

  for (guint i = 0; groups != NULL && groups[i] != NULL; i++)
    {
      g_autofree char *known_nick = g_key_file_get_string (known->file, groups[i], "nick", NULL);

      if (g_strcmp0 (groups[i], uid) != 0 && g_strcmp0 (groups[i], node_id) != 0 &&
          known_nick != NULL && g_ascii_strcasecmp (known_nick, nick) == 0 &&
          g_key_file_get_boolean (known->file, groups[i], "verified", NULL))
        return TRUE;
    }
  return FALSE;
}

gboolean
chat_known_peers_remember (ChatKnownPeers *known,
                           const char     *uid,
                           const char     *nick,
                           const char     *fingerprint,
                           gboolean        verified,
                           GError        **error)
{
  g_autofree char *data = NULL;
  gsize len;

  g_key_file_set_string (known->file, uid, "fingerprint", fingerprint);
  g_key_file_set_string (known->file, uid, "nick", nick);
  g_key_file_set_boolean (known->file, uid, "verified", verified);
  data = g_key_file_to_data (known->file, &len, NULL);
  return g_file_set_contents_full (known->path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}
