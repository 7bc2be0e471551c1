#!/usr/bin/python3
# echo-client.py: an AnySocket client in Python, with asyncio
#
#   /usr/bin/python3 echo-client.py ws://HOST:PORT [TEXT]
#
# Connects, sends the request {"text": TEXT}, prints the reply as
# "reply: <JSON>" and exits 0; any failure is printed and exits 1.
#
# libanysocket's PyGObject override (gi/overrides/AnySocket.py) makes each
# _async call awaitable when it is given no callback, and takes and gives
# messages as Python values. The asyncio loop must run GLib's main
# context: gbulb's does (Debian 12: python3-gbulb).
#
# SPDX-License-Identifier: MIT

import asyncio
import json
import sys

import gbulb
import gi
gi.require_version("AnySocket", "1")
from gi.repository import AnySocket, GLib  # noqa: E402

# A request with no reply after this long fails (the link stays up).
REQUEST_TIMEOUT_MS = 5000


async def run(uri, text):
    client = AnySocket.Socket.new()
    try:
        peer = await client.connect_async(uri)
        reply = await peer.request_async({"text": text}, REQUEST_TIMEOUT_MS)
    except GLib.Error as e:
        # Failures arrive as GLib.Error, in the AnySocket.SocketError domain.
        print(f"failed: {e.message}", file=sys.stderr)
        return 1
    print("reply:", json.dumps(reply.msg, ensure_ascii=False, separators=(",", ":")), flush=True)
    peer.close("bye")
    return 0


def main():
    if len(sys.argv) not in (2, 3):
        print(f"usage: {sys.argv[0]} ws://HOST:PORT [TEXT]", file=sys.stderr)
        return 1
    gbulb.install()   # asyncio's loop becomes GLib's main loop
    return asyncio.run(run(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "hello"))


if __name__ == "__main__":
    sys.exit(main())
