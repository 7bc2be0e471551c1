#!/usr/bin/python3
# anychat-bot.py: a Python bot in the anychat room (PyGObject)
#
#   /usr/bin/python3 anychat-bot.py ws://HOST:PORT [--nick NAME] [--say TEXT]
#                                   [--echo] [--seconds N]
#
# Connects to an anychat instance (or to any peer of an anychat mesh),
# says hello, sends TEXT to the room if given, and prints what the room
# says, one line each:
#
#   joined <id of the peer it reached>
#   room <nick>: <text>
#   private <nick>: <text>      (answered with a receipt)
#
# --echo answers every room message with "echo: <text>" (not its own, and
# not other echoes), in the same room: a message of a named room carries
# it as "room" ("#dev"), one without "room" is the default room's. It leaves after N seconds (default: runs until
# interrupted) and exits 0; a failed connect exits 1.
#
# The chat protocol (README, "The chat protocol") is JSON on ordinary
# messages: a "chat" member names the kind. A bot at the edge of the mesh
# has one link, so it never relays; it still drops what it has seen (by
# "mid"), as every member must.
#
# SPDX-License-Identifier: MIT

import argparse
import json
import secrets
import signal
import sys
import time

import gi
gi.require_version("AnySocket", "1")
gi.require_version("Json", "1.0")
from gi.repository import AnySocket, GLib, Json  # noqa: E402

SEEN_LIMIT = 4096   # the mids remembered, as anychat does
TTL = 8


def node(value):
    return Json.from_string(json.dumps(value))


def value(json_node):
    return json.loads(Json.to_string(json_node, False))


class Bot:
    def __init__(self, nick, echo):
        self.nick = nick
        self.echo = echo
        self.socket = AnySocket.Socket.new()
        self.seen = []          # mids, oldest first
        self.nicks = {}         # socket id -> nick
        self.socket.connect("message", self.on_message)

    def room(self, peer, text, room=None):
        mid = secrets.token_hex(16)
        self.seen.append(mid)
        msg = {"chat": "room", "mid": mid, "from": self.socket.get_id(),
               "nick": self.nick, "text": text, "ts": int(time.time() * 1000), "ttl": TTL}
        if isinstance(room, str):
            msg["room"] = room
        peer.send(node(msg))

    def hello(self, peer):
        peer.send(node({"chat": "hello", "v": 1, "nick": self.nick, "peers": []}))

    def first_time(self, mid):
        if not isinstance(mid, str) or mid in self.seen:
            return False
        self.seen.append(mid)
        del self.seen[:-SEEN_LIMIT]
        return True

    def on_message(self, socket, packet):
        msg = value(packet.props.msg)
        if not isinstance(msg, dict) or not isinstance(msg.get("chat"), str):
            return
        kind = msg["chat"]
        if kind == "hello":
            self.nicks[packet.props.peer.get_id()] = msg.get("nick", "?")
        elif kind == "room" and self.first_time(msg.get("mid")):
            text = str(msg.get("text", ""))
            print(f"room {msg.get('nick', '?')}: {text}", flush=True)
            if self.echo and not text.startswith("echo: "):
                self.room(packet.props.peer, "echo: " + text, msg.get("room"))
        elif kind == "private" and self.first_time(msg.get("mid")):
            print(f"private {msg.get('nick', '?')}: {msg.get('text', '')}", flush=True)
            packet.reply(node({"chat": "receipt", "mid": msg.get("mid")}))


def main():
    parser = argparse.ArgumentParser(description="A bot in the anychat room.")
    parser.add_argument("uri", help="ws://HOST:PORT of an anychat instance")
    parser.add_argument("--nick", default="pybot")
    parser.add_argument("--say", help="send this to the room once joined")
    parser.add_argument("--echo", action="store_true", help="answer room messages")
    parser.add_argument("--seconds", type=float, default=0, help="leave after this long")
    args = parser.parse_args()

    loop = GLib.MainLoop()
    bot = Bot(args.nick, args.echo)
    status = 0

    def on_connected(socket, result):
        nonlocal status
        try:
            peer = socket.connect_finish(result)
        except GLib.Error as e:
            print(f"cannot connect: {e.message}", file=sys.stderr)
            status = 1
            loop.quit()
            return
        print("joined", peer.get_id(), flush=True)
        bot.hello(peer)
        if args.say:
            bot.room(peer, args.say)

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    if args.seconds > 0:
        GLib.timeout_add(int(args.seconds * 1000), loop.quit)
    bot.socket.connect_async(args.uri, None, on_connected)
    loop.run()
    bot.socket.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
