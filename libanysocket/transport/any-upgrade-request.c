/* any-upgrade-request.c: what an accepted link's upgrade request said
 *
 * Cookies are read from the Cookie header the way servers read what
 * browsers send (RFC 6265 5.4, and the JavaScript package's own parser):
 * pairs separated by ';', blanks around names and values ignored, a pair
 * with no '=' or an empty name skipped, one pair of double quotes around
 * a value removed, no percent-decoding. The header is scanned for each
 * name asked (it may be long and hold many pairs: nothing is built per
 * pair), and what was found is kept for the next call, so the strings
 * given out live as long as the request.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "transport/any-upgrade-request.h"

struct _AnyUpgradeRequest
{
  char       *path;
  char       *query;
  GHashTable *headers;   /* lowercase name -> value */
  GPtrArray  *names;     /* as first sent, in order */
  GHashTable *cookies;   /* names asked -> value, or NULL: not there */
};

AnyUpgradeRequest *
any_upgrade_request_new (const char *path,
                         const char *query)
{
  AnyUpgradeRequest *self = g_rc_box_new0 (AnyUpgradeRequest);

  self->path = g_utf8_make_valid (path != NULL ? path : "/", -1);
  self->query = query != NULL ? g_utf8_make_valid (query, -1) : NULL;
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->names = g_ptr_array_new_with_free_func (g_free);
  return self;
}

AnyUpgradeRequest *
any_upgrade_request_ref (AnyUpgradeRequest *self)
{
  return g_rc_box_acquire (self);
}

static void
any_upgrade_request_clear (gpointer data)
{
  AnyUpgradeRequest *self = data;

  g_free (self->path);
  g_free (self->query);
  g_hash_table_unref (self->headers);
  g_ptr_array_unref (self->names);
  g_clear_pointer (&self->cookies, g_hash_table_unref);
}

void
any_upgrade_request_unref (AnyUpgradeRequest *self)
{
  g_rc_box_release_full (self, any_upgrade_request_clear);
}

void
any_upgrade_request_add_header (AnyUpgradeRequest *self,
                                const char        *name,
                                const char        *value)
{
  g_autofree char *key = g_ascii_strdown (name, -1);
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  const char *before = g_hash_table_lookup (self->headers, key);

  if (before == NULL)
    {
      g_ptr_array_add (self->names, g_utf8_make_valid (name, -1));
      g_hash_table_insert (self->headers, g_steal_pointer (&key), g_steal_pointer (&valid));
      return;
    }
  g_hash_table_insert (self->headers, g_strdup (key),
                       g_strconcat (before, strcmp (key, "cookie") == 0 ? "; " : ", ", valid, NULL));
}

const char *
any_upgrade_request_get_path (AnyUpgradeRequest *self)
{
  return self->path;
}

const char *
any_upgrade_request_get_query (AnyUpgradeRequest *self)
{
  return self->query;
}

const char *
any_upgrade_request_get_header (AnyUpgradeRequest *self,
                                const char        *name)
{
  g_autofree char *key = g_ascii_strdown (name, -1);

  return g_hash_table_lookup (self->headers, key);
}

char **
any_upgrade_request_dup_header_names (AnyUpgradeRequest *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **names;

  for (guint i = 0; i < self->names->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (self->names, i));
  names = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return names;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* [*start, *end) without the blanks around it. */
static void
trim (const char **start,
      const char **end)
{
  while (*start < *end && is_blank (**start))
    (*start)++;
  while (*end > *start && is_blank ((*end)[-1]))
    (*end)--;
}

/* The value of the first pair named @name in @header, newly allocated. */
static char *
find_cookie (const char *header,
             const char *name)
{
  gsize name_len = strlen (name);
  const char *pair = header;

  while (*pair != '\0')
    {
      const char *end = strchr (pair, ';');
      const char *eq, *name_end, *value;

      if (end == NULL)
        end = pair + strlen (pair);
      eq = memchr (pair, '=', (gsize) (end - pair));
      if (eq != NULL)
        {
          const char *name_start = pair;

          name_end = eq;
          trim (&name_start, &name_end);
          if ((gsize) (name_end - name_start) == name_len && name_len > 0 &&
              memcmp (name_start, name, name_len) == 0)
            {
              const char *value_end = end;

              value = eq + 1;
              trim (&value, &value_end);
              if (value_end - value >= 2 && *value == '"' && value_end[-1] == '"')
                {
                  value++;
                  value_end--;
                }
              return g_strndup (value, (gsize) (value_end - value));
            }
        }
      pair = *end == ';' ? end + 1 : end;
    }
  return NULL;
}

const char *
any_upgrade_request_get_cookie (AnyUpgradeRequest *self,
                                const char        *name)
{
  const char *header = any_upgrade_request_get_header (self, "Cookie");
  gpointer found;

  if (header == NULL)
    return NULL;
  if (self->cookies == NULL)
    self->cookies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (!g_hash_table_lookup_extended (self->cookies, name, NULL, &found))
    {
      found = find_cookie (header, name);
      g_hash_table_insert (self->cookies, g_strdup (name), found);
    }
  return found;
}
