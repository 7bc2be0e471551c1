// echo-client.js: an AnySocket client in GJS, with async/await
//
//   gjs -m echo-client.js ws://HOST:PORT [TEXT]
//
// Connects, sends the request {"text": TEXT}, prints the reply as
// "reply: <JSON>" and exits 0; any failure is printed and exits 1.
//
// SPDX-License-Identifier: MIT

import Gio from 'gi://Gio';
import Json from 'gi://Json';
import AnySocket from 'gi://AnySocket?version=1';
import System from 'system';

// Each _async/_finish pair becomes a method that returns a promise.
Gio._promisify(AnySocket.Socket.prototype, 'connect_async', 'connect_finish');
Gio._promisify(AnySocket.Peer.prototype, 'request_async', 'request_finish');

// A request with no reply after this long fails (the link stays up).
const REQUEST_TIMEOUT_MS = 5000;

if (ARGV.length < 1 || ARGV.length > 2) {
    printerr('usage: gjs -m echo-client.js ws://HOST:PORT [TEXT]');
    System.exit(1);
}
const [uri, text = 'hello'] = ARGV;

try {
    const client = AnySocket.Socket.new();
    const peer = await client.connect_async(uri, null);
    const request = Json.from_string(JSON.stringify({text}));
    const reply = await peer.request_async(request, REQUEST_TIMEOUT_MS, null);
    print(`reply: ${Json.to_string(reply.msg, false)}`);
    peer.close('bye');
} catch (e) {
    // Failures arrive as GLib.Error, in the AnySocket.SocketError domain.
    printerr(`failed: ${e.message}`);
    System.exit(1);
}
