/* test-cert.h: a throwaway TLS certificate for wss:// tests, made by
 * openssl at test set-up time (no private key is committed)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char *dir;        /* a fresh temporary directory holding the two files */
  char *cert_path;  /* self-signed, CN=localhost, SAN IP:127.0.0.1 and DNS:localhost */
  char *key_path;   /* its P-256 key, unencrypted */
  char *spki_hash;  /* base64 SHA-256 of the public key (Chromium's --ignore-certificate-errors-spki-list) */
} TestCert;

/* NULL with a message for g_test_skip() when openssl is missing. */
TestCert        *test_cert_new          (char       **skip_reason);
/* Removes the files and the directory. */
void             test_cert_free         (TestCert    *cert);
GTlsCertificate *test_cert_load         (TestCert    *cert);
/* A database that trusts only this certificate. */
GTlsDatabase    *test_cert_database     (TestCert    *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestCert, test_cert_free)

G_END_DECLS
