/* chat-transfer-file.c: where a received file lands, and what it is called
 *
 * A peer names the file it offers; that name is only a suggestion. It
 * loses every path separator and control character, never starts with
 * a dot (no hidden file, no ".."), and a file already in the download
 * folder is never replaced: the new one gets " (1)", " (2)"... before
 * its extension.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "chat-text.h"
#include "chat-transfer.h"

#define MAX_SUFFIX 999

char *
chat_file_name_sanitize (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name != NULL ? name : "", -1);
  GString *out = g_string_new (NULL);
  const char *p;

  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '/' || c == '\\')
        c = '_';
      else if (chat_char_is_hostile (c) || g_unichar_type (c) == G_UNICODE_FORMAT)
        continue;
      /* no leading dots or spaces: no hidden file, no "..", no " x" */
      if (out->len == 0 && (c == '.' || g_unichar_isspace (c)))
        continue;
      if (out->len + g_unichar_to_utf8 (c, NULL) > CHAT_FILE_MAX_NAME)
        break;
      g_string_append_unichar (out, c);
    }
  /* nor trailing ones (Windows drops them, and "a." hides an extension) */
  while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    g_string_assign (out, "file");
  return g_string_free (out, FALSE);
}

/* "photo.jpg", 2 -> "photo (2).jpg"; "archive" -> "archive (2)" */
static char *
with_suffix (const char *name,
             guint       n)
{
  const char *dot = strrchr (name, '.');

  if (dot == NULL || dot == name)
    return g_strdup_printf ("%s (%u)", name, n);
  return g_strdup_printf ("%.*s (%u)%s", (int) (dot - name), name, n, dot);
}

GFileOutputStream *
chat_file_create_unique (const char *dir,
                         const char *name,
                         GFile     **file,
                         GError    **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot create %s: %s"), dir,
                   g_strerror (saved));
      return NULL;
    }
  for (guint n = 0; n <= MAX_SUFFIX; n++)
    {
      g_autofree char *candidate = n == 0 ? g_strdup (name) : with_suffix (name, n);
      g_autoptr(GFile) try = g_file_new_build_filename (dir, candidate, NULL);
      g_autoptr(GError) local = NULL;
      /* create, never replace: fails on a file that is there */
      GFileOutputStream *out = g_file_create (try, G_FILE_CREATE_PRIVATE, NULL, &local);

      if (out != NULL)
        {
          *file = g_steal_pointer (&try);
          return out;
        }
      if (!g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("%s and %u more like it exist already in %s"), name,
               MAX_SUFFIX, dir);
  return NULL;
}

char *
chat_format_size (guint64 bytes)
{
  if (bytes < 1024)
    return g_strdup_printf (_("%u B"), (guint) bytes);
  if (bytes < 1024 * 1024)
    return g_strdup_printf (_("%.1f KiB"), bytes / 1024.0);
  if (bytes < G_GUINT64_CONSTANT (1024) * 1024 * 1024)
    return g_strdup_printf (_("%.1f MiB"), bytes / (1024.0 * 1024.0));
  return g_strdup_printf (_("%.2f GiB"), bytes / (1024.0 * 1024.0 * 1024.0));
}
