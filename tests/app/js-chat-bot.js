#!/usr/bin/env node
// js-chat-bot.js: a JavaScript anysocket@0.4.29 peer that joins an
// anychat room, as the README's "anychat" section tells: a hello, room
// messages, receipts for private messages. Driven by test-chat-bot.py.
//
//   node js-chat-bot.js PORT   connects to ws://127.0.0.1:PORT
//
// Prints one JSON object per line: {"event": "connected"|"room"|
// "private"|"hello"|"disconnected", ...}. Sends two garbled chat
// messages before its first room message, and answers the room message
// "ping bot" with "pong <nick>".
//
// SPDX-License-Identifier: MIT
"use strict";

const crypto = require("crypto");
const AnySocket = require("anysocket");

const port = parseInt(process.argv[2], 10);
const nick = "jsbot";
const socket = new AnySocket();

function out(obj) {
    process.stdout.write(JSON.stringify(obj) + "\n");
}

function mid() {
    return crypto.randomBytes(16).toString("hex");
}

function say(peer, text) {
    peer.send({ chat: "room", mid: mid(), from: socket.id, nick: nick, text: text,
                ts: Date.now(), ttl: 8 });
}

socket.on("connected", (peer) => {
    out({ event: "connected", id: peer.id });
    peer.send({ chat: "hello", v: 1, nick: nick, peers: [] });
    // garbage first: anychat must shrug it off with a notice
    peer.send({ chat: "room", mid: "not-an-id", text: 42 });
    peer.send({ chat: "dance" });
    say(peer, "hello from the JavaScript bot");
    say(peer, "escape\u001b[2J\u001b]0;owned\u0007 done");
});

socket.on("message", (packet) => {
    const msg = packet.msg;
    if (!msg || typeof msg !== "object" || typeof msg.chat !== "string")
        return;
    out({ event: msg.chat, msg: msg });
    if (msg.chat === "room" && msg.text === "ping bot")
        say(packet.peer, "pong " + msg.nick);
    else if (msg.chat === "private")
        packet.reply({ chat: "receipt", mid: msg.mid });
});

socket.on("disconnected", (peer, reason) => out({ event: "disconnected", reason: String(reason) }));

// connect("ws") tries wss:// first; anychat listens on ws:// only
const onConnect = AnySocket.Transport.WS.prototype.onConnect;
AnySocket.Transport.WS.prototype.onConnect = function () {
    return onConnect.call(this, true);
};
socket.connect("ws", "127.0.0.1", port).catch((e) => {
    out({ event: "connect_error", error: String(e) });
    process.exit(1);
});
process.on("SIGTERM", () => process.exit(0));
