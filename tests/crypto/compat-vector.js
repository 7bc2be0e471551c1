#!/usr/bin/env node
// compat-vector.js: prints the compat E2EE known answer used by
// test-compat.c (test_node_vector), computed the way npm anysocket 0.4.29
// does it (src/libs/utils.js and AnyProtocol.js), with node's crypto
// module only. The test does not run this script: its output is
// hard-coded there. Regenerate with `node tests/crypto/compat-vector.js`.
//
// Fixed inputs (a real exchange uses random keys, nonces and IVs):
// - privA = SHA-512("libanysocket compat vector A"), privB =
//   SHA-512("libanysocket compat vector B 264"): 64-byte scalars, chosen
//   (the first index that does it) so that the shared x-coordinate starts
//   with two zero bytes, which checks the left-padding to 66 bytes.
// - A is the initiator; its nonce and id, B's nonce, and per-chunk IVs
//   are fixed strings below.
//
// SPDX-License-Identifier: MIT
'use strict';
const crypto = require('crypto');

const sha512 = (s) => crypto.createHash('sha512').update(s).digest();
const privA = sha512('libanysocket compat vector A');
const privB = sha512('libanysocket compat vector B 264');
const nonceA = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const nonceB = 'f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100';
const idA = '8d2c7e1b5f3a4c6e9b0d1f2a3b4c5d6e';

// utils.generateAESKey, with a fixed private key instead of generateKeys().
const ecdhA = crypto.createECDH('secp521r1');
ecdhA.setPrivateKey(privA);
const ecdhB = crypto.createECDH('secp521r1');
ecdhB.setPrivateKey(privB);
const pubA = ecdhA.getPublicKey().toString('base64');
const pubB = ecdhB.getPublicKey().toString('base64');

// utils.computeAESsecret
const computeAESsecret = (ecdh, publicB64) =>
  ecdh.computeSecret(Buffer.from(publicB64, 'base64'), null, 'hex').substr(0, 128);
// utils.getAESSessionKey
const getAESSessionKey = (secret, nonce, seq) =>
  crypto.pbkdf2Sync(secret, nonce + '_' + seq, 1, 32, 'sha256').toString('hex');

const sharedHex = ecdhA.computeSecret(ecdhB.getPublicKey()).toString('hex');
const secretA = computeAESsecret(ecdhA, pubB);
const secretB = computeAESsecret(ecdhB, pubA);
if (secretA !== secretB) throw new Error('ECDH mismatch');

// AnyProtocol: nonce = nA + nB; session = getAESSessionKey(nonce, A.id, 0)
const session = getAESSessionKey(nonceA + nonceB, idA, 0);

// utils.encryptAES with a fixed IV; the key is getAESSessionKey(secret,
// session, Math.abs(seq)) used as raw bytes (bufferFromHex).
function encryptAES(keyHex, ivHex, data) {
  const cipher = crypto.createCipheriv('aes-256-cbc', Buffer.from(keyHex, 'hex'), Buffer.from(ivHex, 'hex'));
  const enc = Buffer.concat([cipher.update(data), cipher.final()]);
  return ivHex + enc.toString('hex');
}
// utils.decryptAES, to check the body the way the peer reads it.
function decryptAES(keyHex, data) {
  const iv = Buffer.from(data.substr(0, 32), 'hex');
  const d = crypto.createDecipheriv('aes-256-cbc', Buffer.from(keyHex, 'hex'), iv);
  return Buffer.concat([d.update(Buffer.from(data.substr(32), 'hex')), d.final()]).toString();
}

const chunks = [
  { seq: 1, iv: '00112233445566778899aabbccddeeff', data: '{"type":1,"x":"h\u00e9llo \u2713"}' },
  { seq: -5, iv: 'ffeeddccbbaa99887766554433221100', data: '' },
  { seq: 2147483647, iv: '0f0e0d0c0b0a09080706050403020100', data: '0123456789abcdef' },
  { seq: -2147483648, iv: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', data: '{"a":[1,2,3],"b":null}' },
];

const out = {
  privA: privA.toString('hex'),
  privB: privB.toString('hex'),
  pubA, pubB, nonceA, nonceB, idA,
  shared: sharedHex,
  secret: secretA,
  session,
  chunks: chunks.map((c) => {
    const key = getAESSessionKey(secretA, session, Math.abs(c.seq));
    const body = encryptAES(key, c.iv, c.data);
    if (decryptAES(key, body) !== c.data) throw new Error('round trip');
    return { seq: c.seq, iv: c.iv, plaintext_hex: Buffer.from(c.data).toString('hex'), key, body };
  }),
};
console.log(JSON.stringify(out, null, 2));
