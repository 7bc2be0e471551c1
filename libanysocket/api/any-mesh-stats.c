/* any-mesh-stats.c: AnyMesh's counters (any_mesh_dup_stats())
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "api/any-mesh-private.h"

/**
 * any_mesh_dup_stats:
 * @self: an [class@AnySocket.Mesh]
 *
 * Counters of what the mesh sent and dropped, as a dictionary of
 * unsigned 64-bit values (`a{st}`): `bad-signature` (publications
 * whose signature failed), `forged-announce`, `replayed-announce`,
 * `rate-limited`, `table-full`, `refused-announce` (announcements
 * signed by another key than the one pinned for their node),
 * `unknown-refresh` (key-less refreshes of a node not known yet), `oversized`, `malformed`, `bad-json`,
 * `duplicates`, `packets-sent`, `bytes-sent`, `e2e-sent`,
 * `e2e-received`, `e2e-failed` (handshakes and messages that did not
 * authenticate), `e2e-replayed`, `e2e-dropped`; and what the caches hold
 * now: `dedup-entries`, `history-entries`, `route-entries` (routes,
 * including those of nodes recently gone).
 *
 * Returns: (transfer full): a floating-free `a{st}` variant
 * Since: 0.2
 */
GVariant *
any_mesh_dup_stats (AnyMesh *self)
{
  const AnyMeshStats *s;
  const AnyMeshE2eStats *e;
  GVariantBuilder b;
  guint seen, history, routes;

  g_return_val_if_fail (ANY_IS_MESH (self), NULL);
  s = any_mesh_core_get_stats (self->core);
  e = any_mesh_e2e_get_stats (self->e2e);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{st}"));
#define ADD(name, value) g_variant_builder_add (&b, "{st}", name, (guint64) (value))
  ADD ("bad-signature", s->bad_signature);
  ADD ("forged-announce", s->forged_announce);
  ADD ("replayed-announce", s->replayed_announce);
  ADD ("rate-limited", s->rate_limited);
  ADD ("table-full", s->table_full);
  ADD ("refused-announce", s->refused_announce);
  ADD ("unknown-refresh", s->unknown_refresh);
  ADD ("oversized", s->oversized);
  ADD ("malformed", s->malformed);
  ADD ("bad-json", self->bad_json);
  ADD ("duplicates", s->duplicates);
  ADD ("packets-sent", s->packets_sent);
  ADD ("bytes-sent", s->bytes_sent);
  ADD ("e2e-sent", e->sealed_sent);
  ADD ("e2e-received", e->sealed_received);
  ADD ("e2e-failed", e->failed);
  ADD ("e2e-replayed", e->replayed);
  ADD ("e2e-dropped", e->queued_dropped);
  any_mesh_core_get_sizes (self->core, &seen, &history, &routes);
  ADD ("dedup-entries", seen);
  ADD ("history-entries", history);
  ADD ("route-entries", routes);
#undef ADD
  return g_variant_ref_sink (g_variant_builder_end (&b));
}
