/* any-json.c: a small, strict JSON reader over json-glib's types
 *
 * See any-json.h for what is accepted; the writer is any-json-write.c.
 *
 * The reader is recursive descent over [p, end): every read is bounds
 * checked, so the text can point into a received frame. Nodes are built in
 * place: a member's (or element's) node is put into its container first
 * and filled afterwards, so the key, held in a scratch buffer, is copied
 * once by json_object_set_member() and no node is ever moved. A node is
 * always left initialised, even on error, so that unref'ing the root
 * frees a half-built tree cleanly.
 *
 * A string is scanned once (finding its end, checking control characters
 * and UTF-8) and then copied: as is when it has no escapes, decoded
 * otherwise. Decoding never grows the text, so the scratch buffer is
 * sized from the raw length. json-glib copies the string again into the
 * node; a short string's scratch copy is on the stack.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "any-error.h"
#include "codec/any-json.h"
#include "codec/any-json-private.h"

#define SCRATCH_STACK 256

typedef struct {
  const guchar *text;
  const guchar *p;
  const guchar *end;
  GError      **error;
  gboolean      failed;
  GString      *big;                   /* scratch for long strings */
  char          small[SCRATCH_STACK];  /* scratch for short ones */
} Reader;

/* Bytes in a string that need a second look: 1 for '"', '\\' and control
 * characters, 2 for the lead of a multi-byte UTF-8 sequence (or a stray
 * byte >= 0x80). */
static const guint8 string_class[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* '"' */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  /* '\\' */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

G_GNUC_PRINTF (3, 4)
static gboolean
reader_fail (Reader       *r,
             const guchar *at,
             const char   *format,
             ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (r->failed)
    return FALSE;
  r->failed = TRUE;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (r->error, ANY_SOCKET_ERROR, ANY_SOCKET_ERROR_PROTOCOL,
               "JSON: %s at byte %" G_GSIZE_FORMAT, what, (gsize) (at - r->text));
  return FALSE;
}

static gboolean
fail_unexpected (Reader     *r,
                 const char *expected)
{
  if (r->p >= r->end)
    return reader_fail (r, r->p, "unexpected end of text, expected %s", expected);
  if (*r->p == 0)
    return reader_fail (r, r->p, "NUL byte, expected %s", expected);
  if (*r->p >= 0x21 && *r->p < 0x7f)
    return reader_fail (r, r->p, "unexpected '%c', expected %s", *r->p, expected);
  return reader_fail (r, r->p, "unexpected byte 0x%02x, expected %s", *r->p, expected);
}

static inline void
skip_whitespace (Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

/* The length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static inline gsize
utf8_sequence_length (const guchar *p,
                      const guchar *end)
{
  guchar c = p[0];

  if (c >= 0xc2 && c <= 0xdf)
    return end - p >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef)
    {
      guchar lo = c == 0xe0 ? 0xa0 : 0x80;
      guchar hi = c == 0xed ? 0x9f : 0xbf;

      return end - p >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
  if (c >= 0xf0 && c <= 0xf4)
    {
      guchar lo = c == 0xf0 ? 0x90 : 0x80;
      guchar hi = c == 0xf4 ? 0x8f : 0xbf;

      return end - p >= 4 && p[1] >= lo && p[1] <= hi &&
             (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4 : 0;
    }
  return 0;
}

static inline int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Four hex digits at p (the caller checked they are in bounds), or -1. */
static inline gint32
read_hex4 (const guchar *p)
{
  int a = hex_value (p[0]), b = hex_value (p[1]), c = hex_value (p[2]), d = hex_value (p[3]);

  if ((a | b | c | d) < 0)
    return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

static inline char *
put_utf8 (char     *out,
          gunichar  c)
{
  if (c < 0x80)
    *out++ = c;
  else if (c < 0x800)
    {
      *out++ = 0xc0 | (c >> 6);
      *out++ = 0x80 | (c & 0x3f);
    }
  else if (c < 0x10000)
    {
      *out++ = 0xe0 | (c >> 12);
      *out++ = 0x80 | ((c >> 6) & 0x3f);
      *out++ = 0x80 | (c & 0x3f);
    }
  else
    {
      *out++ = 0xf0 | (c >> 18);
      *out++ = 0x80 | ((c >> 12) & 0x3f);
      *out++ = 0x80 | ((c >> 6) & 0x3f);
      *out++ = 0x80 | (c & 0x3f);
    }
  return out;
}

static char *
scratch (Reader *r,
         gsize   size)
{
  if (size <= SCRATCH_STACK)
    return r->small;
  if (r->big == NULL)
    r->big = g_string_sized_new (size);
  g_string_set_size (r->big, size);
  return r->big->str;
}

/* Decodes the escaped string body [p, quote) into out; returns the end of
 * what it wrote, or NULL (error set). The body was scanned already: no
 * raw control characters, valid UTF-8, and a backslash is never last. */
static char *
decode_escaped (Reader       *r,
                const guchar *p,
                const guchar *quote,
                char         *out)
{
  while (p < quote)
    {
      const guchar *run = p;

      while (p < quote && *p != '\\')
        p++;
      memcpy (out, run, p - run);
      out += p - run;
      if (p == quote)
        break;

      switch (p[1])
        {
        case '"':  *out++ = '"'; p += 2; break;
        case '\\': *out++ = '\\'; p += 2; break;
        case '/':  *out++ = '/'; p += 2; break;
        case 'b':  *out++ = '\b'; p += 2; break;
        case 'f':  *out++ = '\f'; p += 2; break;
        case 'n':  *out++ = '\n'; p += 2; break;
        case 'r':  *out++ = '\r'; p += 2; break;
        case 't':  *out++ = '\t'; p += 2; break;
        case 'u':
          {
            gint32 unit;

            if (quote - p < 6 || (unit = read_hex4 (p + 2)) < 0)
              {
                reader_fail (r, p, "invalid \\u escape in string");
                return NULL;
              }
            p += 6;
            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                gint32 low;

                if (quote - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                    (low = read_hex4 (p + 2)) >= 0xdc00 && low <= 0xdfff)
                  {
                    unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    p += 6;
                  }
                else
                  unit = 0xfffd;  /* lone high surrogate */
              }
            else if ((unit >= 0xdc00 && unit <= 0xdfff) || unit == 0)
              unit = 0xfffd;  /* lone low surrogate; NUL has no place in a C string */
            out = put_utf8 (out, unit);
            break;
          }
        default:
          reader_fail (r, p, "invalid escape in string");
          return NULL;
        }
    }
  return out;
}

/* Reads the string at r->p (a '"') into scratch; returns it NUL-terminated,
 * valid until the next read_string(), or NULL (error set). */
static const char *
read_string (Reader *r)
{
  const guchar *start = r->p + 1;
  const guchar *p = start;
  const guchar *end = r->end;
  gboolean escaped = FALSE;
  char *out;

  for (;;)
    {
      guint8 class;

      /* The common case: plain ASCII. */
      p = _any_json_skip_plain (p, end, TRUE);
      while (p < end && string_class[*p] == 0)
        p++;
      if (G_UNLIKELY (p >= end))
        {
          reader_fail (r, r->p, "unterminated string");
          return NULL;
        }
      if (*p == '"')
        break;
      class = string_class[*p];
      if (*p == '\\')
        {
          if (end - p < 2)
            {
              reader_fail (r, r->p, "unterminated string");
              return NULL;
            }
          if (p[1] >= 0x80)
            {
              reader_fail (r, p, "invalid escape in string");
              return NULL;
            }
          escaped = TRUE;
          p += 2;  /* what follows is checked by decode_escaped() */
        }
      else if (class == 2)
        {
          gsize n = utf8_sequence_length (p, end);

          if (n == 0)
            {
              reader_fail (r, p, "invalid UTF-8 in string");
              return NULL;
            }
          p += n;
        }
      else
        {
          reader_fail (r, p, *p == 0 ? "NUL byte in string" : "control character 0x%02x in string", *p);
          return NULL;
        }
    }

  out = scratch (r, (p - start) + 1);
  r->p = p + 1;
  if (G_LIKELY (!escaped))
    {
      memcpy (out, start, p - start);
      out[p - start] = '\0';
      return out;
    }
  else
    {
      char *stop = decode_escaped (r, start, p, out);

      if (stop == NULL)
        return NULL;
      *stop = '\0';
      return out;
    }
}

static gboolean
read_number (Reader   *r,
             JsonNode *node)
{
  const guchar *start = r->p;
  const guchar *p = start;
  const guchar *end = r->end;
  gboolean negative = FALSE, integral = TRUE, overflow = FALSE;
  guint64 magnitude = 0;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (p >= end || !g_ascii_isdigit (*p))
    return reader_fail (r, start, "invalid number");
  if (*p == '0')
    {
      p++;
      if (p < end && g_ascii_isdigit (*p))
        return reader_fail (r, start, "number with a leading zero");
    }
  else
    {
      while (p < end && g_ascii_isdigit (*p))
        {
          guint digit = *p - '0';

          if (magnitude > (G_MAXUINT64 - digit) / 10)
            overflow = TRUE;
          else
            magnitude = magnitude * 10 + digit;
          p++;
        }
    }
  if (p < end && *p == '.')
    {
      integral = FALSE;
      p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return reader_fail (r, start, "invalid number: no digit after '.'");
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      integral = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        p++;
      if (p >= end || !g_ascii_isdigit (*p))
        return reader_fail (r, start, "invalid number: no digit in the exponent");
      while (p < end && g_ascii_isdigit (*p))
        p++;
    }
  r->p = p;

  if (integral && !overflow)
    {
      if (!negative && magnitude <= (guint64) G_MAXINT64)
        {
          json_node_init_int (node, (gint64) magnitude);
          return TRUE;
        }
      if (negative && magnitude <= (guint64) G_MAXINT64 + 1)
        {
          json_node_init_int (node, magnitude == (guint64) G_MAXINT64 + 1 ?
                                      G_MININT64 : -(gint64) magnitude);
          return TRUE;
        }
    }

  /* A fraction, an exponent, or too big an integer: strtod() wants a
   * NUL-terminated copy. The syntax was checked above. */
  {
    char small[64];
    gsize len = p - start;
    char *copy = len < sizeof small ? small : g_malloc (len + 1);

    memcpy (copy, start, len);
    copy[len] = '\0';
    json_node_init_double (node, g_ascii_strtod (copy, NULL));
    if (copy != small)
      g_free (copy);
  }
  return TRUE;
}

static gboolean
read_literal (Reader     *r,
              const char *word,
              gsize       len)
{
  if ((gsize) (r->end - r->p) < len || memcmp (r->p, word, len) != 0)
    return fail_unexpected (r, "a JSON value");
  r->p += len;
  return TRUE;
}

static gboolean read_value (Reader *r, JsonNode *node, guint depth);

static gboolean
read_object (Reader   *r,
             JsonNode *node,
             guint     depth)
{
  JsonObject *object = json_object_new ();

  json_node_init_object (node, object);
  json_object_unref (object);

  r->p++;  /* '{' */
  skip_whitespace (r);
  if (r->p < r->end && *r->p == '}')
    {
      r->p++;
      return TRUE;
    }

  for (;;)
    {
      const char *key;
      JsonNode *member;

      if (r->p >= r->end || *r->p != '"')
        return fail_unexpected (r, "a string key");
      key = read_string (r);
      if (key == NULL)
        return FALSE;
      skip_whitespace (r);
      if (r->p >= r->end || *r->p != ':')
        return fail_unexpected (r, "':'");
      r->p++;

      /* In place first, filled after: the key is copied now, from scratch. */
      member = json_node_alloc ();
      json_object_set_member (object, key, member);
      if (!read_value (r, member, depth))
        return FALSE;
      json_node_set_parent (member, node);

      skip_whitespace (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          skip_whitespace (r);
          continue;
        }
      if (r->p < r->end && *r->p == '}')
        {
          r->p++;
          return TRUE;
        }
      return fail_unexpected (r, "',' or '}'");
    }
}

static gboolean
read_array (Reader   *r,
            JsonNode *node,
            guint     depth)
{
  JsonArray *array = json_array_new ();

  json_node_init_array (node, array);
  json_array_unref (array);

  r->p++;  /* '[' */
  skip_whitespace (r);
  if (r->p < r->end && *r->p == ']')
    {
      r->p++;
      return TRUE;
    }

  for (;;)
    {
      JsonNode *element = json_node_alloc ();

      json_array_add_element (array, element);
      if (!read_value (r, element, depth))
        return FALSE;
      json_node_set_parent (element, node);

      skip_whitespace (r);
      if (r->p < r->end && *r->p == ',')
        {
          r->p++;
          skip_whitespace (r);
          continue;
        }
      if (r->p < r->end && *r->p == ']')
        {
          r->p++;
          return TRUE;
        }
      return fail_unexpected (r, "',' or ']'");
    }
}

/* Reads one value at r->p (whitespace before it skipped) into node, which
 * is initialised on return, even on failure. depth: the containers around
 * it. */
static gboolean
read_value (Reader   *r,
            JsonNode *node,
            guint     depth)
{
  const char *string;

  skip_whitespace (r);
  if (r->p >= r->end)
    goto fail;

  switch (*r->p)
    {
    case '"':
      string = read_string (r);
      if (string == NULL)
        goto fail_quietly;
      json_node_init_string (node, string);
      return TRUE;

    case '{':
    case '[':
      if (depth >= ANY_JSON_MAX_DEPTH)
        {
          json_node_init_null (node);
          return reader_fail (r, r->p, "nesting deeper than %d", ANY_JSON_MAX_DEPTH);
        }
      return *r->p == '{' ? read_object (r, node, depth + 1) : read_array (r, node, depth + 1);

    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      if (!read_number (r, node))
        goto fail_quietly;
      return TRUE;

    case 't':
      if (!read_literal (r, "true", 4))
        goto fail_quietly;
      json_node_init_boolean (node, TRUE);
      return TRUE;

    case 'f':
      if (!read_literal (r, "false", 5))
        goto fail_quietly;
      json_node_init_boolean (node, FALSE);
      return TRUE;

    case 'n':
      if (!read_literal (r, "null", 4))
        goto fail_quietly;
      json_node_init_null (node);
      return TRUE;

    default:
      break;
    }

fail:
  fail_unexpected (r, "a JSON value");
fail_quietly:
  json_node_init_null (node);
  return FALSE;
}

JsonNode *
any_json_parse (const char  *text,
                gsize        len,
                GError     **error)
{
  Reader r;
  JsonNode *root;
  gboolean ok;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.text = r.p = (const guchar *) text;
  r.end = r.text + len;
  r.error = error;
  r.failed = FALSE;
  r.big = NULL;

  root = json_node_alloc ();
  ok = read_value (&r, root, 0);
  if (ok)
    {
      skip_whitespace (&r);
      if (r.p < r.end)
        ok = fail_unexpected (&r, "the end of the text");
    }
  if (r.big != NULL)
    g_string_free (r.big, TRUE);
  if (!ok)
    {
      json_node_unref (root);
      return NULL;
    }
  return root;
}

/* ------------------------------------------------------------------ */
/* Reading what a peer sent                                            */

/* The member @name of @object when it is a string, else NULL. json-glib's
 * json_object_get_string_member_with_default() returns NULL, not the
 * default, for a member that is a number, and
 * json_object_get_string_member() is critical for a missing one: neither
 * will do for what came off the wire. */
const char *
any_json_get_string_member (JsonObject *object,
                            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}
