/* test-cert.c: a throwaway TLS certificate for wss:// tests, made by
 * openssl at test set-up time (no private key is committed)
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>

#include "test-cert.h"

static gboolean
run (const char * const *argv,
     char              **out,
     char              **reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, NULL))
    {
      *reason = g_strdup_printf ("%s failed: %s %s", argv[0], error != NULL ? error->message : "", err != NULL ? err : "");
      return FALSE;
    }
  return TRUE;
}

TestCert *
test_cert_new (char **skip_reason)
{
  g_autoptr(TestCert) cert = g_new0 (TestCert, 1);
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *pubkey = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;

  if (openssl == NULL)
    {
      *skip_reason = g_strdup ("openssl is not installed (.ci/setup --tests installs it)");
      return NULL;
    }
  cert->dir = g_dir_make_tmp ("anysocket-cert-XXXXXX", &error);
  g_assert_no_error (error);
  cert->cert_path = g_build_filename (cert->dir, "cert.pem", NULL);
  cert->key_path = g_build_filename (cert->dir, "key.pem", NULL);
  {
    const char *argv[] = {
      "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-days", "2", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-keyout", cert->key_path, "-out", cert->cert_path, NULL,
    };
    if (!run (argv, NULL, skip_reason))
      return NULL;
  }
  {
    /* openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256 | base64 */
    g_autofree char *pub_path = g_build_filename (cert->dir, "pub.der", NULL);
    const char *pub_argv[] = { "openssl", "x509", "-in", cert->cert_path, "-noout", "-pubkey", NULL };
    g_autofree char *pub_pem = g_build_filename (cert->dir, "pub.pem", NULL);
    const char *der_argv[] = { "openssl", "pkey", "-pubin", "-in", pub_pem, "-outform", "der", "-out", pub_path, NULL };
    g_autofree char *der = NULL;
    gsize der_len = 0;

    if (!run (pub_argv, &pubkey, skip_reason))
      return NULL;
    g_assert_true (g_file_set_contents (pub_pem, pubkey, -1, NULL));
    if (!run (der_argv, NULL, skip_reason))
      return NULL;
    g_assert_true (g_file_get_contents (pub_path, &der, &der_len, NULL));
    {
      g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
      guint8 digest[32];
      gsize digest_len = sizeof digest;

      g_checksum_update (sha, (const guchar *) der, der_len);
      g_checksum_get_digest (sha, digest, &digest_len);
      cert->spki_hash = g_base64_encode (digest, digest_len);
    }
    g_unlink (pub_path);
    g_unlink (pub_pem);
  }
  return g_steal_pointer (&cert);
}

void
test_cert_free (TestCert *cert)
{
  if (cert == NULL)
    return;
  if (cert->cert_path != NULL)
    g_unlink (cert->cert_path);
  if (cert->key_path != NULL)
    g_unlink (cert->key_path);
  if (cert->dir != NULL)
    g_rmdir (cert->dir);
  g_free (cert->dir);
  g_free (cert->cert_path);
  g_free (cert->key_path);
  g_free (cert->spki_hash);
  g_free (cert);
}

GTlsCertificate *
test_cert_load (TestCert *cert)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *tls = g_tls_certificate_new_from_files (cert->cert_path, cert->key_path, &error);

  g_assert_no_error (error);
  return tls;
}

GTlsDatabase *
test_cert_database (TestCert *cert)
{
  g_autoptr(GError) error = NULL;
  GTlsDatabase *database = g_tls_file_database_new (cert->cert_path, &error);

  g_assert_no_error (error);
  return database;
}
