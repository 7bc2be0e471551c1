#!/usr/bin/python3
# echo-server.py: an AnySocket echo server in Python (PyGObject)
#
#   /usr/bin/python3 echo-server.py ws://HOST:PORT
#
# Listens on the URI (port 0 picks a free port), prints
# "listening on port N" and answers every message with
# {"echo": <the message>, "by": "python"}. SIGINT or SIGTERM stops it.
#
# Debian's /usr/bin/python3 has PyGObject; run it with GI_TYPELIB_PATH and
# LD_LIBRARY_PATH pointing at the library, and PYTHONPATH at
# libanysocket/python (the override), when it is not installed.
#
# SPDX-License-Identifier: MIT

import signal
import sys

import gi
gi.require_version("AnySocket", "1")
from gi.repository import AnySocket, GLib  # noqa: E402


def main():
    if len(sys.argv) != 2:
        print(f"usage: {sys.argv[0]} ws://HOST:PORT", file=sys.stderr)
        return 1

    loop = GLib.MainLoop()
    server = AnySocket.Socket.new()
    status = 0

    # The override (gi/overrides/AnySocket.py) gives messages as Python
    # values: packet.msg in, a dict to reply().
    def on_message(socket, packet):
        try:
            packet.reply({"echo": packet.msg, "by": "python"})
        except GLib.Error as e:
            print(f"could not reply to {packet.props.peer.props.id}: {e.message}",
                  file=sys.stderr)

    def on_listening(socket, result):
        nonlocal status
        try:
            port = socket.listen_finish(result)
        except GLib.Error as e:
            print(f"cannot listen: {e.message}", file=sys.stderr)
            status = 1
            loop.quit()
            return
        # The port is the first line of output: whoever started us waits for it.
        print(f"listening on port {port}", flush=True)

    server.connect("message", on_message)
    server.listen_async(sys.argv[1], None, on_listening)
    for signum in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    loop.run()

    server.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
