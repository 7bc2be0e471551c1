/* raw-http.c: an HTTP/1.1 client over a plain TCP socket
 *
 * SPDX-License-Identifier: MIT
 */
#include "raw-http.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

RawHttp *
raw_http_open (guint port)
{
  RawHttp *raw = g_new0 (RawHttp, 1);
  struct sockaddr_in addr = { 0 };

  raw->fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (raw->fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = g_htons ((guint16) port);
  addr.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  /* Loopback: the kernel completes it from the backlog. */
  g_assert_cmpint (connect (raw->fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (fcntl (raw->fd, F_SETFL, O_NONBLOCK), ==, 0);
  raw->in = g_string_new (NULL);
  return raw;
}

void
raw_http_close (RawHttp *raw)
{
  if (raw == NULL)
    return;
  close (raw->fd);
  g_string_free (raw->in, TRUE);
  g_free (raw);
}

/* Runs the main context until @fd is ready for @events, or a few ms. */
static void
step (int   fd,
      short events)
{
  struct pollfd p = { fd, events, 0 };

  g_main_context_iteration (NULL, FALSE);
  if (poll (&p, 1, 0) == 0)
    {
      /* Let the in-process server run (a bounded number of times: a busy
       * context always has something), then wait a little for us. */
      for (guint i = 0; i < 64 && g_main_context_iteration (NULL, FALSE); i++)
        ;
      poll (&p, 1, 1);
    }
}

/* Reads what is there; FALSE when nothing was. */
static gboolean
receive (RawHttp *raw)
{
  char buf[16384];
  gssize n = recv (raw->fd, buf, sizeof buf, 0);

  if (n > 0)
    {
      g_string_append_len (raw->in, buf, n);
      return TRUE;
    }
  if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
    raw->closed = TRUE;
  return FALSE;
}

gboolean
raw_http_send (RawHttp    *raw,
               const char *data,
               gsize       len)
{
  gsize sent = 0;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (sent < len && g_get_monotonic_time () < deadline)
    {
      gssize n = send (raw->fd, data + sent, len - sent, MSG_NOSIGNAL);

      if (n > 0)
        sent += n;
      else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return FALSE;
      else
        step (raw->fd, POLLOUT);
    }
  return sent == len;
}

static gssize
content_length (const char *head)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
      return atol (lines[i] + 15);
  return -1;
}

RawHttpResponse *
raw_http_read (RawHttp  *raw,
               gboolean  no_body,
               guint     ms)
{
  RawHttpResponse *response = g_new0 (RawHttpResponse, 1);
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  const char *end = NULL;
  gssize body_len = 0;
  gsize head_len = 0;

  while (g_get_monotonic_time () < deadline)
    {
      while (receive (raw))
        ;
      end = strstr (raw->in->str, "\r\n\r\n");
      if (end != NULL)
        {
          head_len = end + 4 - raw->in->str;
          /* No body: HEAD, 101 (the WebSocket follows), 204, 304. */
          no_body = no_body || g_str_has_prefix (raw->in->str, "HTTP/1.1 1") ||
                    g_str_has_prefix (raw->in->str, "HTTP/1.1 204") ||
                    g_str_has_prefix (raw->in->str, "HTTP/1.1 304");
          body_len = no_body ? 0 : content_length (raw->in->str);
          if (body_len < 0)
            body_len = raw->closed ? (gssize) (raw->in->len - head_len) : -1;
          if (body_len >= 0 && raw->in->len >= head_len + body_len)
            break;
        }
      if (raw->closed)
        break;
      step (raw->fd, POLLIN);
    }
  if (end == NULL || body_len < 0 || raw->in->len < head_len + body_len)
    return response;
  response->head = g_strndup (raw->in->str, head_len);
  response->status = (guint) atoi (response->head + strlen ("HTTP/1.1 "));
  /* NUL-terminated, for raw_http_body_text(). */
  response->body = g_bytes_new_take (g_strndup (raw->in->str + head_len, body_len), body_len);
  g_string_erase (raw->in, 0, head_len + body_len);
  return response;
}

gboolean
raw_http_wait_closed (RawHttp *raw,
                      guint    ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;

  while (!raw->closed && g_get_monotonic_time () < deadline)
    {
      while (receive (raw))
        ;
      if (!raw->closed)
        step (raw->fd, POLLIN);
    }
  return raw->closed;
}

RawHttpResponse *
raw_http_exchange (guint       port,
                   const char *request,
                   guint       ms)
{
  g_autoptr(RawHttp) raw = raw_http_open (port);

  raw_http_send (raw, request, strlen (request));
  return raw_http_read (raw, g_str_has_prefix (request, "HEAD "), ms);
}

char *
raw_http_header (RawHttpResponse *response,
                 const char      *name)
{
  g_auto(GStrv) lines = NULL;
  gsize len = strlen (name);

  if (response->head == NULL)
    return NULL;
  lines = g_strsplit (response->head, "\r\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      return g_strstrip (g_strdup (lines[i] + len + 1));
  return NULL;
}

const char *
raw_http_body_text (RawHttpResponse *response)
{
  return response->body != NULL ? g_bytes_get_data (response->body, NULL) : NULL;
}

void
raw_http_response_free (RawHttpResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->head);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}
