#!/usr/bin/python3
# third-party.py: a Python program run against the installed library
#
# test-bindings.sh runs it with PYTHONPATH, GI_TYPELIB_PATH and
# LD_LIBRARY_PATH leading into a DESTDIR install, and its first argument
# the DESTDIR: the override it gets must be the installed one. It awaits
# listen, connect, a request with dict messages and the synced time under
# gbulb's asyncio loop. Exit 0 on success.
#
# SPDX-License-Identifier: MIT

import asyncio
import sys

import gbulb
import gi
gi.require_version('AnySocket', '1')
from gi.repository import AnySocket  # noqa: E402


async def run():
    server = AnySocket.Socket.new()
    server.connect('message', lambda s, packet: packet.reply({'answer': 42, 'got': packet.msg}))
    port = await server.listen_async('ws://127.0.0.1:0')
    client = AnySocket.Socket.new()
    peer = await client.connect_async(f'ws://127.0.0.1:{port}')
    reply = await peer.request_async({'question': '?'}, 5000)
    synced = await peer.get_synced_time_async()
    peer.close('bye')
    server.stop()
    return reply.msg, synced


def main():
    destdir = sys.argv[1]
    override = sys.modules[AnySocket.Peer.__module__].__file__
    if not override.startswith(destdir):
        print(f'third-party.py: the override comes from {override}, not the install', file=sys.stderr)
        return 1
    gbulb.install()
    msg, synced = asyncio.run(asyncio.wait_for(run(), 20))
    if msg != {'answer': 42, 'got': {'question': '?'}} or synced.rtt < 0:
        print(f'third-party.py: unexpected {msg} {synced}', file=sys.stderr)
        return 1
    print(f'third-party.py: reply {msg}, {synced}, override {override}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
