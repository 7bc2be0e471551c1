/* any-caps.h: what AUTH's "caps" (and a proxied peer's probe) advertise
 *
 * {"v": 1, "e2e": ["noise-xx"], "bin": 1}. A header of its own because both E2E
 * (which switch to start) and the trust rules (a pinned id must offer
 * native E2E) read it, and E2E applies the trust rules.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

/* The e2e capability of native E2E (Noise XX). */
#define ANY_E2E_CAP_NATIVE "noise-xx"

/* The member of "caps" that says the peer takes binary messages (WebSocket
 * binary frames, any-engine-bytes.c): 1. */
#define ANY_BIN_CAP "bin"
/* The mesh capability: "caps": {..., "mesh": [2]} (the mesh wire
 * versions spoken; docs/protocol.md, "Mesh"). Mesh packets go only to a
 * peer that listed version 1. */
#define ANY_MESH_CAP_MEMBER "mesh"
#define ANY_MESH_CAP_VERSION 2
