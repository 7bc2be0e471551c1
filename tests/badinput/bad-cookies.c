/* bad-cookies.c: hostile Cookie headers in the upgrade request (huge,
 * many, bad syntax, not UTF-8), read by an authenticate-peer handler
 * while the healthy client keeps talking
 *
 * SPDX-License-Identifier: MIT
 */
#include "bad-input.h"

#include <string.h>

/* What the server's authenticate-peer handler read from the raw peers. */
typedef struct {
  guint  calls;
  char  *session;      /* cookie "session" */
  char  *last;         /* cookie named by `last_name` */
  const char *last_name;
  char  *b, *empty, *quoted_name, *spaced, *binary;
  gboolean has_a;
  guint  names;        /* header names */
} Seen;

static gboolean
on_authenticate_peer (AnySocket  *socket,
                      AnyPeer    *peer,
                      const char *peer_id,
                      JsonNode   *auth,
                      Seen       *seen)
{
  g_auto(GStrv) names = any_peer_dup_request_header_names (peer);

  seen->calls++;
  seen->names = names != NULL ? g_strv_length (names) : 0;
  g_free (seen->session);
  seen->session = g_strdup (any_peer_get_request_cookie (peer, "session"));
  if (seen->last_name != NULL)
    {
      g_free (seen->last);
      seen->last = g_strdup (any_peer_get_request_cookie (peer, seen->last_name));
    }
  seen->has_a = any_peer_get_request_cookie (peer, "a") != NULL;
  seen->b = g_strdup (any_peer_get_request_cookie (peer, "b"));
  seen->empty = g_strdup (any_peer_get_request_cookie (peer, "emp"));
  seen->quoted_name = g_strdup (any_peer_get_request_cookie (peer, "\"q\""));
  seen->spaced = g_strdup (any_peer_get_request_cookie (peer, "sp"));
  seen->binary = g_strdup (any_peer_get_request_cookie (peer, "bin"));
  /* Asking twice gives the same string (kept with the request). */
  g_assert_true (any_peer_get_request_cookie (peer, "session") ==
                 any_peer_get_request_cookie (peer, "session"));
  g_assert_null (any_peer_get_request_cookie (peer, ""));
  return TRUE;
}

static void
seen_clear (Seen *seen)
{
  g_free (seen->session);
  g_free (seen->last);
  g_free (seen->b);
  g_free (seen->empty);
  g_free (seen->quoted_name);
  g_free (seen->spaced);
  g_free (seen->binary);
}

static void
watch (Fixture *fx,
       Seen    *seen)
{
  g_signal_connect (fx->server, "authenticate-peer", G_CALLBACK (on_authenticate_peer), seen);
}

/* Connects with @headers and authenticates, which must work. */
static void
raw_with_headers (Fixture            *fx,
                  const char * const *headers)
{
  RawClient *raw = raw_client_try_connect (fx->uri, headers);

  fx->raws = g_list_prepend (fx->raws, raw);
  g_assert_no_error (raw->connect_error);
  g_assert_true (raw_auth (fx, raw));
}

/* 48 KiB of pairs, the one looked for last; then 2 MiB, which libsoup's
 * server refuses before any handler runs (its header limit). */
static void
test_cookies_huge (Fixture       *fx,
                   gconstpointer  data)
{
  Seen seen = { 0 };
  g_autoptr(GString) cookie = g_string_new (NULL);
  g_autoptr(GString) giant = g_string_new (NULL);
  RawClient *raw;

  watch (fx, &seen);
  for (guint i = 0; cookie->len < 48 * 1024; i++)
    g_string_append_printf (cookie, "junk%u=%s; ", i, "xxxxxxxxxxxxxxxxxxxxxxxx");
  g_string_append (cookie, "session=at-the-end");
  {
    const char *headers[] = { "Cookie", cookie->str, NULL };

    raw_with_headers (fx, headers);
  }
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpstr (seen.session, ==, "at-the-end");

  while (giant->len < 2 * 1024 * 1024)
    g_string_append (giant, "g=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; ");
  {
    const char *headers[] = { "Cookie", giant->str, NULL };

    raw = raw_client_try_connect (fx->uri, headers);
    fx->raws = g_list_prepend (fx->raws, raw);
  }
  g_test_message ("2 MiB Cookie header: %s", raw->connect_error != NULL ? raw->connect_error->message : "accepted");
  g_assert_nonnull (raw->connect_error);
  g_assert_cmpuint (seen.calls, ==, 1);
  seen_clear (&seen);
}

/* 2,000 Cookie headers of one pair each, and 1,000 other headers (about
 * 50 KB: libsoup's server resets a request whose head is much larger). */
static void
test_cookies_many (Fixture       *fx,
                   gconstpointer  data)
{
  Seen seen = { .last_name = "c1999" };
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);

  watch (fx, &seen);
  for (guint i = 0; i < 2000; i++)
    {
      g_ptr_array_add (headers, g_strdup ("Cookie"));
      g_ptr_array_add (headers, g_strdup_printf ("c%u=%u", i, i));
    }
  for (guint i = 0; i < 1000; i++)
    {
      g_ptr_array_add (headers, g_strdup_printf ("X-Many-%u", i));
      g_ptr_array_add (headers, g_strdup ("v"));
    }
  g_ptr_array_add (headers, g_strdup ("Cookie"));
  g_ptr_array_add (headers, g_strdup ("session=after-2000"));
  g_ptr_array_add (headers, NULL);
  raw_with_headers (fx, (const char * const *) headers->pdata);
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpstr (seen.session, ==, "after-2000");
  g_assert_cmpstr (seen.last, ==, "1999");
  /* Host, Upgrade... then Cookie once, and the 1,000 others. */
  g_assert_cmpuint (seen.names, >=, 1001);
  g_assert_cmpuint (seen.names, <, 1020);
  seen_clear (&seen);
}

/* Pairs without '=', empty names, quotes, blanks, a repeated name, bytes
 * that are not UTF-8. */
static void
test_cookies_bad_syntax (Fixture       *fx,
                         gconstpointer  data)
{
  Seen seen = { 0 };
  const char *headers[] = {
    "Cookie", "=;;=x; ;a;b==c; \"q\"=1;  session = \"quoted\" ; =; session=second; emp=; sp=a b ;"
              "bin=\xff\xfe\x80;;;",
    NULL
  };

  watch (fx, &seen);
  raw_with_headers (fx, headers);
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_cmpstr (seen.session, ==, "quoted");
  g_assert_false (seen.has_a);
  g_assert_cmpstr (seen.b, ==, "=c");
  g_assert_cmpstr (seen.empty, ==, "");
  g_assert_cmpstr (seen.quoted_name, ==, "1");
  g_assert_cmpstr (seen.spaced, ==, "a b");
  g_assert_nonnull (seen.binary);
  g_assert_true (g_utf8_validate (seen.binary, -1, NULL));
  seen_clear (&seen);
}

void
badinput_add_cookies_cases (void)
{
  ADD ("cookies/huge", NULL, test_cookies_huge);
  ADD ("cookies/many", NULL, test_cookies_many);
  ADD ("cookies/bad-syntax", NULL, test_cookies_bad_syntax);
}
