#!/usr/bin/python3
# echo-client.py: an AnySocket client in Python (PyGObject)
#
#   /usr/bin/python3 echo-client.py ws://HOST:PORT [TEXT]
#
# Connects, sends the request {"text": TEXT}, prints the reply as
# "reply: <JSON>" and exits 0; any failure is printed and exits 1.
# PyGObject 3.42 has no awaitable calls: each _async takes a callback that
# calls its _finish.
#
# SPDX-License-Identifier: MIT

import json
import sys

import gi
gi.require_version("AnySocket", "1")
gi.require_version("Json", "1.0")
from gi.repository import AnySocket, GLib, Json  # noqa: E402

# A request with no reply after this long fails (the link stays up).
REQUEST_TIMEOUT_MS = 5000


def main():
    if len(sys.argv) not in (2, 3):
        print(f"usage: {sys.argv[0]} ws://HOST:PORT [TEXT]", file=sys.stderr)
        return 1
    uri = sys.argv[1]
    text = sys.argv[2] if len(sys.argv) == 3 else "hello"

    loop = GLib.MainLoop()
    client = AnySocket.Socket.new()
    status = 1

    def on_reply(peer, result):
        nonlocal status
        try:
            reply = peer.request_finish(result)
        except GLib.Error as e:
            print(f"request failed: {e.message}", file=sys.stderr)
        else:
            print("reply:", Json.to_string(reply.props.msg, False), flush=True)
            peer.close("bye")
            status = 0
        loop.quit()

    def on_connected(socket, result):
        try:
            peer = socket.connect_finish(result)
        except GLib.Error as e:
            print(f"cannot connect: {e.message}", file=sys.stderr)
            loop.quit()
            return
        request = Json.from_string(json.dumps({"text": text}))
        peer.request_async(request, REQUEST_TIMEOUT_MS, None, on_reply)

    client.connect_async(uri, None, on_connected)
    loop.run()
    return status


if __name__ == "__main__":
    sys.exit(main())
