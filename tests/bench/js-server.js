// js-server.js: the JavaScript (npm anysocket@0.4.29) server of the benchmark
//
// The same server as bench-server.c, in the style of AnySocket's own
// published WebSocket benchmark (benchmarks/ws/anysocket.js): a request
// {"type":"req",...} is answered with packet.reply(msg), any other message
// with packet.peer.send(msg). A request {"type":"big","data":S} (the large
// message of e2e-bench and js-e2e-client.js) is answered with a tiny ack,
// {"type":"ack","length":S.length}. A request {"type":"bcast"} (idle-peers'
// fan-out) is answered with server.broadcast({"type":"b"}), then a reply;
// every proxy request is allowed (canProxy), as bench-server.c does. A switch to E2E started by the client
// is answered by anysocket itself; the replies then go out encrypted.
//
//   node js-server.js [--port N] [--host IP] [--deflate] [--timeout S]
//
// Prints the port as its first line on stdout. Exits on SIGINT/SIGTERM or
// by itself after --timeout seconds (600).
//
// anysocket 0.4.29 has no way to listen on port 0 (it listens on
// `options.port || 80`) nor to ask its `ws` server for permessage-deflate
// (off by default in ws 7), so both are patched in from outside: the http
// server it creates is caught, and ws.Server gets perMessageDeflate when
// --deflate is given. Nothing else of the package is touched.
//
// SPDX-License-Identifier: MIT
"use strict";

const path = require("path");
const http = require("http");

function option(name, fallback) {
    const i = process.argv.indexOf("--" + name);
    if (i < 0) return fallback;
    const v = process.argv[i + 1];
    return v === undefined || v.startsWith("--") ? true : v;
}

const port = parseInt(option("port", "0"), 10);
const host = option("host", "127.0.0.1");
const deflate = option("deflate", false) === true;
const timeout = parseInt(option("timeout", "600"), 10);

// The `ws` module anysocket itself loads.
const anysocketMain = require.resolve("anysocket");
const WebSocket = require(require.resolve("ws", { paths: [path.dirname(anysocketMain)] }));
if (deflate) {
    const Server = WebSocket.Server;
    WebSocket.Server = class extends Server {
        constructor(options, callback) {
            super(Object.assign({ perMessageDeflate: true }, options), callback);
        }
    };
}

// Catch the http server anysocket creates, to listen on `port` (0 too).
let httpServer = null;
const createServer = http.createServer;
http.createServer = function (...args) {
    const server = createServer.apply(this, args);
    const listen = server.listen;
    server.listen = function (_port, ...rest) {
        return listen.call(this, port, ...rest);
    };
    httpServer = server;
    return server;
};

const AnySocket = require("anysocket");

let replies = 0, sends = 0;
const server = new AnySocket();
server.canProxy = () => true;
server.on("message", (packet) => {
    const msg = packet.msg;
    if (msg && msg.type === "req") {
        packet.reply(msg);
        replies++;
    } else if (msg && msg.type === "bcast") {
        server.broadcast({ type: "b" });
        packet.reply(msg);
        replies++;
    } else if (msg && msg.type === "big") {
        packet.reply({ type: "ack", length: typeof msg.data === "string" ? msg.data.length : 0 });
        replies++;
    } else {
        packet.peer.send(msg);
        sends++;
    }
});
server.listen("ws", { port: port || 1, host: host });
http.createServer = createServer;

if (!httpServer) {
    console.error("js-server: anysocket created no http server");
    process.exit(1);
}
const announce = () => console.log(String(httpServer.address().port));
if (httpServer.listening) announce(); else httpServer.once("listening", announce);

function quit() {
    console.error(`js-server: ${replies} replies, ${sends} sends`);
    process.exit(0);
}
process.on("SIGINT", quit);
process.on("SIGTERM", quit);
if (timeout > 0) setTimeout(quit, timeout * 1000).unref();
