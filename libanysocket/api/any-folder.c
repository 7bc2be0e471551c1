/* any-folder.c: serving a folder's files over plain HTTP
 *
 * The request's path is already decoded, and its dot segments removed,
 * by the HTTP layer; still, every segment is checked here (no "..", no
 * NUL or backslash), and the file's real path (symbolic links resolved)
 * must lie inside the folder's real path.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/any-socket-http.h"

struct _AnyFolder
{
  char *prefix;      /* "/" or "/a/b", no final '/' */
  char *directory;
};

AnyFolder *
_any_folder_new (const char *url_prefix,
                 const char *directory)
{
  AnyFolder *folder = g_new0 (AnyFolder, 1);
  gsize len;

  folder->prefix = g_strconcat (url_prefix[0] == '/' ? "" : "/", url_prefix, NULL);
  len = strlen (folder->prefix);
  while (len > 1 && folder->prefix[len - 1] == '/')
    folder->prefix[--len] = '\0';
  folder->directory = g_strdup (directory);
  return folder;
}

void
_any_folder_free (AnyFolder *folder)
{
  g_free (folder->prefix);
  g_free (folder->directory);
  g_free (folder);
}

/* What follows @folder's prefix in @path ("" or "/..."), NULL if the
 * prefix does not match. */
static const char *
rest_of (AnyFolder  *folder,
         const char *path)
{
  gsize len = strlen (folder->prefix);

  if (strcmp (folder->prefix, "/") == 0)
    return path;
  if (strncmp (path, folder->prefix, len) != 0 || (path[len] != '\0' && path[len] != '/'))
    return NULL;
  return path + len;
}

static const struct {
  const char *suffix;
  const char *type;
} content_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".htm", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".mjs", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".json", "application/json" },
  { ".txt", "text/plain; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".jpg", "image/jpeg" },
  { ".ico", "image/vnd.microsoft.icon" },
  { ".wasm", "application/wasm" },
};

static char *
content_type_of (const char *filename)
{
  g_autofree char *guessed = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (filename, content_types[i].suffix))
      return g_strdup (content_types[i].type);
  guessed = g_content_type_guess (filename, NULL, 0, NULL);
  return guessed != NULL ? g_content_type_get_mime_type (guessed) : NULL;
}

static void
respond_text (AnyHttpExchange *exchange,
              guint            status,
              const char      *text)
{
  g_autoptr(GBytes) body = g_bytes_new (text, strlen (text));

  any_http_exchange_respond (exchange, status, "text/plain; charset=utf-8", body);
}

/* Whether @path (real) is @root (real) or inside it. */
static gboolean
is_inside (const char *path,
           const char *root)
{
  gsize len = strlen (root);

  return strncmp (path, root, len) == 0 &&
         (path[len] == '\0' || path[len] == '/' || (len == 1 && root[0] == '/'));
}

static void
serve (AnyFolder       *folder,
       const char      *rest,
       AnyHttpExchange *exchange)
{
  const char *method = any_http_exchange_get_method (exchange);
  g_auto(GStrv) segments = g_strsplit (rest, "/", -1);
  g_autofree char *root = realpath (folder->directory, NULL);
  g_autofree char *joined = NULL;
  g_autofree char *real = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (g_strcmp0 (method, "GET") != 0 && g_strcmp0 (method, "HEAD") != 0)
    {
      any_http_exchange_add_response_header (exchange, "Allow", "GET, HEAD");
      respond_text (exchange, 405, "Method Not Allowed\r\n");
      return;
    }
  for (guint i = 0; segments[i] != NULL; i++)
    if (strcmp (segments[i], "..") == 0 || strchr (segments[i], '\\') != NULL)
      {
        respond_text (exchange, 404, "Not Found\r\n");
        return;
      }
  if (root == NULL)
    {
      respond_text (exchange, 404, "Not Found\r\n");
      return;
    }
  joined = g_build_filename (root, rest, NULL);
  real = realpath (joined, NULL);
  if (real == NULL || !is_inside (real, root))
    {
      respond_text (exchange, 404, "Not Found\r\n");
      return;
    }
  if (g_file_test (real, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *index = NULL;

      if (!g_str_has_suffix (any_http_exchange_get_path (exchange), "/"))
        {
          g_autofree char *location = g_strconcat (any_http_exchange_get_path (exchange), "/", NULL);

          any_http_exchange_add_response_header (exchange, "Location", location);
          respond_text (exchange, 301, "Moved Permanently\r\n");
          return;
        }
      index = g_build_filename (real, "index.html", NULL);
      g_free (real);
      real = realpath (index, NULL);
      if (real == NULL || !is_inside (real, root))
        {
          respond_text (exchange, 404, "Not Found\r\n");
          return;
        }
    }
  if (!g_file_test (real, G_FILE_TEST_IS_REGULAR) ||
      (file = g_mapped_file_new (real, FALSE, NULL)) == NULL)
    {
      respond_text (exchange, 404, "Not Found\r\n");
      return;
    }
  bytes = g_mapped_file_get_bytes (file);
  type = content_type_of (real);
  any_http_exchange_respond (exchange, 200, type != NULL ? type : "application/octet-stream", bytes);
}

gboolean
_any_folder_serve (GPtrArray       *folders,
                   AnyHttpExchange *exchange)
{
  const char *path = any_http_exchange_get_path (exchange);
  AnyFolder *best = NULL;
  const char *best_rest = NULL;

  for (guint i = 0; i < folders->len; i++)
    {
      AnyFolder *folder = g_ptr_array_index (folders, i);
      const char *rest = rest_of (folder, path);

      if (rest != NULL && (best == NULL || strlen (folder->prefix) > strlen (best->prefix)))
        {
          best = folder;
          best_rest = rest;
        }
    }
  if (best == NULL)
    return FALSE;
  serve (best, best_rest, exchange);
  return TRUE;
}
