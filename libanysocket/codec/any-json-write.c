/* any-json-write.c: JSON text from json-glib's nodes, as JSON.stringify()
 * writes it
 *
 * See any-json.h for what is written. Every sent packet's text is written
 * here, so the common case (a few bytes into a buffer with room, a string
 * with nothing to escape) is kept short.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "codec/any-json.h"
#include "codec/any-json-private.h"

/* g_string_append_len() is not inline before GLib 2.76: most appends
 * here are a few bytes into a buffer with room. */
static inline void
append_len (GString    *out,
            const char *bytes,
            gsize       len)
{
  if (G_LIKELY (out->len + len < out->allocated_len))
    {
      memcpy (out->str + out->len, bytes, len);
      out->len += len;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, bytes, len);
}

/* 0: as is; otherwise the letter of the short escape, or 'u'. */
static const char escape_class[256] = {
  'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
  'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
  0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
  /* the rest: 0 */
};

static void
write_string (GString    *out,
              const char *string)
{
  const guchar *p = (const guchar *) string;
  gsize len = strlen (string);
  const guchar *end = p + len;

  /* Room for the string unescaped at once, instead of doubling up to it. */
  if (out->allocated_len <= out->len + len + 2)
    {
      gsize used = out->len;

      g_string_set_size (out, used + len + 2);
      g_string_truncate (out, used);
    }
  g_string_append_c (out, '"');
  for (;;)
    {
      const guchar *run = p;
      char letter;

      p = _any_json_skip_plain (p, end, FALSE);
      while (p < end && escape_class[*p] == 0)
        p++;
      if (p > run)
        append_len (out, (const char *) run, p - run);
      if (p >= end)
        break;

      letter = escape_class[*p];
      g_string_append_c (out, '\\');
      if (letter == 'u')
        {
          static const char hex[] = "0123456789abcdef";
          char esc[5] = { 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf] };

          append_len (out, esc, 5);
        }
      else
        g_string_append_c (out, letter);
      p++;
    }
  g_string_append_c (out, '"');
}

static void
write_int (GString *out,
           gint64   value)
{
  char buf[24];
  char *p = buf + sizeof buf;
  guint64 magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do
    {
      *--p = '0' + magnitude % 10;
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  append_len (out, p, buf + sizeof buf - p);
}

static void
write_double (GString *out,
              gdouble  value)
{
  static const char *const formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      append_len (out, "null", 4);
      return;
    }
  if (value == 0)
    {
      g_string_append_c (out, '0');  /* -0 too, as JSON.stringify() */
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }
  /* %.17g always reads back exactly, so buf holds the last one if not. */
  append_len (out, buf, strlen (buf));
}

static void
write_node (GString  *out,
            JsonNode *node)
{
  if (node == NULL)
    {
      append_len (out, "null", 4);
      return;
    }

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        JsonObjectIter iter;
        const char *key;
        JsonNode *member;
        gboolean first = TRUE;

        if (object == NULL)
          {
            append_len (out, "null", 4);
            return;
          }
        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &key, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            write_string (out, key);
            g_string_append_c (out, ':');
            write_node (out, member);
          }
        g_string_append_c (out, '}');
        return;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length;

        if (array == NULL)
          {
            append_len (out, "null", 4);
            return;
          }
        length = json_array_get_length (array);
        g_string_append_c (out, '[');
        for (guint i = 0; i < length; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
        return;
      }

    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          {
            const char *string = json_node_get_string (node);

            if (string != NULL)
              write_string (out, string);
            else
              append_len (out, "null", 4);
          }
        else if (type == G_TYPE_INT64)
          write_int (out, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          write_double (out, json_node_get_double (node));
        else if (type == G_TYPE_BOOLEAN)
          {
            if (json_node_get_boolean (node))
              append_len (out, "true", 4);
            else
              append_len (out, "false", 5);
          }
        else
          append_len (out, "null", 4);
        return;
      }

    case JSON_NODE_NULL:
    default:
      append_len (out, "null", 4);
      return;
    }
}

void
any_json_write (GString  *out,
                JsonNode *node)
{
  g_return_if_fail (out != NULL);

  write_node (out, node);
}
