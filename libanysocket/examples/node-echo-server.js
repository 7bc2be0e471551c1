// node-echo-server.js: the other side of gjs-to-node.js, written with the
// JavaScript package itself (npm anysocket@0.4.29), run by node
//
//   NODE_PATH=DIR/node_modules node node-echo-server.js ws://HOST:PORT
//
// Listens (port 0 picks a free port), prints "listening on port N" and
// answers every message with {"echo": <the message>, "by": "javascript"}.
// SIGINT or SIGTERM stops it. This repository installs the package into
// tests/interop/node_modules (tests/interop/setup.sh).
//
// SPDX-License-Identifier: MIT
"use strict";

const AnySocket = require("anysocket");

if (process.argv.length !== 3) {
    process.stderr.write("usage: node node-echo-server.js ws://HOST:PORT\n");
    process.exit(1);
}
const uri = new URL(process.argv[2]);

const socket = new AnySocket();
socket.on("message", (packet) => {
    packet.reply({ echo: packet.msg, by: "javascript" });
});

// The package listens on port 80 when given port 0 (it does `port || 80`);
// the string "0" is truthy and lets node pick a free port.
socket.listen("ws", { host: uri.hostname, port: uri.port || "0" }).then(() => {
    // The package does not tell which port it got: ask its HTTP server,
    // kept under a private symbol.
    const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === "HTTPServer");
    process.stdout.write(`listening on port ${socket[symbol].address().port}\n`);
}).catch((e) => {
    process.stderr.write(`cannot listen: ${e}\n`);
    process.exit(1);
});

for (const name of ["SIGINT", "SIGTERM"]) {
    process.on(name, () => {
        socket.stop();
        process.exit(0);
    });
}
