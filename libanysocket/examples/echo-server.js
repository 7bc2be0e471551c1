// echo-server.js: an AnySocket echo server in GJS
//
//   gjs -m echo-server.js ws://HOST:PORT
//
// Listens on the URI (port 0 picks a free port), prints
// "listening on port N" and answers every message with
// {"echo": <the message>, "by": "gjs"}. SIGINT or SIGTERM stops it.
//
// An ES module: GJS runs its main loop while the module awaits, so the
// server simply awaits a stop signal. Run it with GI_TYPELIB_PATH and
// LD_LIBRARY_PATH pointing at the library when it is not installed.
//
// SPDX-License-Identifier: MIT

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Json from 'gi://Json';
import AnySocket from 'gi://AnySocket?version=1';
import System from 'system';

// Each _async/_finish pair becomes a method that returns a promise.
Gio._promisify(AnySocket.Socket.prototype, 'listen_async', 'listen_finish');

const SIGINT = 2, SIGTERM = 15;

if (ARGV.length !== 1) {
    printerr('usage: gjs -m echo-server.js ws://HOST:PORT');
    System.exit(1);
}

const server = AnySocket.Socket.new();
server.connect('message', (socket, packet) => {
    // Messages are JsonNode; JSON text is the bridge to JavaScript values.
    const msg = JSON.parse(Json.to_string(packet.msg, false));
    const reply = {echo: msg, by: 'gjs'};
    try {
        packet.reply(Json.from_string(JSON.stringify(reply)));
    } catch (e) {
        printerr(`could not reply to ${packet.peer.id}: ${e.message}`);
    }
});

let port;
try {
    port = await server.listen_async(ARGV[0], null);
} catch (e) {
    printerr(`cannot listen: ${e.message}`);
    System.exit(1);
}
// The port is the first line of output: whoever started us waits for it.
print(`listening on port ${port}`);

await new Promise(resolve => {
    for (const signum of [SIGINT, SIGTERM]) {
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, () => {
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    }
});
server.stop();
