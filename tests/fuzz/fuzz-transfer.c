/* fuzz-transfer.c: anychat's file transfers as a receiver (app/chat-transfer*.c)
 *
 * The input is what a hostile sender says, one JSON message a line.
 * Every offer is accepted at once. Whatever comes, the files written stay
 * in the download folder, under names that are safe (valid UTF-8, no
 * leading dot, no control character, within the limit), and nothing is
 * left there but files whose SHA-256 matched their offer. Each line is
 * also given to the name sanitiser as a name.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat-transfer.h"
#include "fuzz.h"

#define SENDER_ID "a11ce000000000000000000000000000"
#define MAX_LINES 256

static gboolean
discard (const char *peer_id,
         JsonNode   *msg,
         gpointer    data,
         GError    **error)
{
  return TRUE;
}

static gboolean
protected (const char *peer_id,
           gpointer    data)
{
  return TRUE;
}

static const ChatTransferLink link_funcs = { discard, protected };

static void
assert_safe_name (const char *name)
{
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpuint (strlen (name), >, 0);
  g_assert_cmpuint (strlen (name), <=, CHAT_FILE_MAX_NAME + 16);   /* " (999)" */
  g_assert_true (name[0] != '.' && name[0] != ' ');
  g_assert_null (strchr (name, '/'));
  g_assert_null (strchr (name, '\\'));
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

/* The folder's files, each checked and then removed. */
static void
check_and_empty (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      assert_safe_name (name);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      g_unlink (path);
    }
}

static char *root;
static char *downloads;

static void
remove_folders (void)
{
  check_and_empty (downloads);
  g_rmdir (downloads);
  g_rmdir (root);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = g_strsplit (text, "\n", MAX_LINES);
  g_autoptr(ChatModel) model = chat_model_new ("0123456789abcdef0123456789abcdef", "me");
  g_autoptr(ChatTransfers) transfers = NULL;
  g_autoptr(GDir) above = NULL;
  const char *entry;

  if (root == NULL)
    {
      root = g_dir_make_tmp ("fuzz-transfer-XXXXXX", NULL);
      downloads = g_build_filename (root, "downloads", NULL);
      atexit (remove_folders);
    }
  chat_model_ensure_peer (model, SENDER_ID);
  transfers = chat_transfers_new (model, &link_funcs, NULL, downloads, 1024 * 1024);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new_immutable ();
      g_autofree char *safe = chat_file_name_sanitize (lines[i]);

      assert_safe_name (safe);
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL) ||
          !chat_transfers_is_file_message (json_parser_get_root (parser)))
        continue;
      chat_transfers_receive (transfers, SENDER_ID, json_parser_get_root (parser));
      chat_transfers_accept (transfers, 0, NULL);
    }
  g_clear_pointer (&transfers, chat_transfers_free);   /* deletes what is partial */
  /* nothing beside the download folder */
  above = g_dir_open (root, 0, NULL);
  while ((entry = g_dir_read_name (above)) != NULL)
    g_assert_cmpstr (entry, ==, "downloads");
  check_and_empty (downloads);
  return 0;
}
