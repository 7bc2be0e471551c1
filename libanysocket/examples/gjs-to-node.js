// gjs-to-node.js: GJS talking to a JavaScript peer (npm anysocket@0.4.29)
//
//   gjs -m gjs-to-node.js ws://HOST:PORT [TEXT]
//
// Connects to a peer that runs the JavaScript package (node-echo-server.js
// beside this file), asks it {"text": TEXT} in the clear, switches the
// link to end-to-end encryption and asks again. Prints each reply as
// "reply: <JSON>" and the encryption mode as "e2e: compat"; exits 0.
//
// A JavaScript peer only knows its own E2E scheme, so libanysocket falls
// back to it (AnySocket.E2eMode.COMPAT): it keeps a passive eavesdropper
// out, no more. Between two libanysocket peers the same call gives
// authenticated Noise XX (AnySocket.E2eMode.NATIVE).
//
// SPDX-License-Identifier: MIT

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Json from 'gi://Json';
import AnySocket from 'gi://AnySocket?version=1';
import System from 'system';

Gio._promisify(AnySocket.Socket.prototype, 'connect_async', 'connect_finish');
Gio._promisify(AnySocket.Peer.prototype, 'request_async', 'request_finish');

const REQUEST_TIMEOUT_MS = 5000;
// The JavaScript peer's secp521r1 handshake takes tens of milliseconds;
// libanysocket gives up after AnySocket:e2e-timeout (5 s) by itself.
const E2E_WAIT_MS = 10000;

// Resolves on the peer's "e2e" signal, rejects if the link drops first.
function switchToE2e(peer) {
    return new Promise((resolve, reject) => {
        const ids = [];
        const done = (fn, value) => {
            ids.forEach(id => peer.disconnect(id));
            GLib.source_remove(timer);
            fn(value);
        };
        ids.push(peer.connect('e2e', () => done(resolve, peer.e2e_mode)));
        ids.push(peer.connect('disconnected', (p, reason) =>
            done(reject, new Error(`disconnected during the switch: ${reason}`))));
        const timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, E2E_WAIT_MS, () => {
            done(reject, new Error('no e2e signal'));
            return GLib.SOURCE_REMOVE;
        });
        peer.e2e();
    });
}

async function ask(peer, text) {
    const request = Json.from_string(JSON.stringify({text}));
    const reply = await peer.request_async(request, REQUEST_TIMEOUT_MS, null);
    print(`reply: ${Json.to_string(reply.msg, false)}`);
}

if (ARGV.length < 1 || ARGV.length > 2) {
    printerr('usage: gjs -m gjs-to-node.js ws://HOST:PORT [TEXT]');
    System.exit(1);
}
const [uri, text = 'hello'] = ARGV;

try {
    const client = AnySocket.Socket.new();
    const peer = await client.connect_async(uri, null);
    await ask(peer, text);

    const mode = await switchToE2e(peer);
    const name = mode === AnySocket.E2eMode.COMPAT ? 'compat'
        : mode === AnySocket.E2eMode.NATIVE ? 'native' : `${mode}`;
    print(`e2e: ${name}`);
    await ask(peer, text);

    peer.close('bye');
} catch (e) {
    printerr(`failed: ${e.message}`);
    System.exit(1);
}
