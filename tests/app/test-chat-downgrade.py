#!/usr/bin/python3
# test-chat-downgrade.py: a verified peer comes back through a relay that
# strips the E2E capabilities ("caps") from both AUTH packets, to play
# compat E2E in the middle and read everything. A knows B's key: the link
# must be refused, and both screens must say so loudly (not a quiet
# notice, not a "compat E2E" badge).
#
# The relay is a WebSocket man in the middle written here on asyncio: it
# passes the upgrade through, then reads every frame, rewrites the AUTH
# chunk without "caps", and forwards everything else as it came.
#
# SPDX-License-Identifier: MIT

import asyncio
import json
import re
import struct
import threading

from anychat_tmux import Failure, Instance, main


def frame(opcode, payload, mask):
    """One final WebSocket frame; masked (with a zero key) from a client."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + struct.pack('!H', n)
    else:
        head += bytes([bit | 127]) + struct.pack('!Q', n)
    return head + (b'\0\0\0\0' if mask else b'') + payload


def strip_caps(payload):
    """An AUTH chunk without its "caps" member; any other chunk as it is."""
    text = payload.decode('utf-8')
    if len(text) < 6 or text[1] != '1':
        return None
    auth = json.loads(text[6:])
    if 'caps' not in auth:
        return None
    del auth['caps']
    return (text[:6] + json.dumps(auth, separators=(',', ':'))).encode('utf-8')


class StrippingRelay:
    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.stripped = 0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait()

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, '127.0.0.1', 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _client(self, down_r, down_w):
        up_r, up_w = await asyncio.open_connection('127.0.0.1', self.upstream_port)
        # the upgrade request and its 101 answer, as they are
        up_w.write(await down_r.readuntil(b'\r\n\r\n'))
        down_w.write(await up_r.readuntil(b'\r\n\r\n'))
        pipes = [asyncio.ensure_future(self._pipe(down_r, up_w, True)),
                 asyncio.ensure_future(self._pipe(up_r, down_w, False))]
        # one side closed: so does the other (a WebSocket client waits for
        # the server to close the TCP connection after the close frame)
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for w in (up_w, down_w):
            w.close()
        for p in pipes:
            p.cancel()

    async def _pipe(self, r, w, from_client):
        while True:
            head = await r.readexactly(2)
            n = head[1] & 0x7f
            extra = b''
            if n == 126:
                extra = await r.readexactly(2)
                n = struct.unpack('!H', extra)[0]
            elif n == 127:
                extra = await r.readexactly(8)
                n = struct.unpack('!Q', extra)[0]
            key = await r.readexactly(4) if head[1] & 0x80 else b''
            body = await r.readexactly(n)
            plain = bytes(b ^ key[i % 4] for i, b in enumerate(body)) if key else body
            opcode = head[0] & 0x0f
            rewritten = strip_caps(plain) if opcode == 1 and head[0] & 0x80 else None
            if rewritten is not None:
                self.stripped += 1
                w.write(frame(1, rewritten, from_client))
            else:
                w.write(head + extra + key + body)
            await w.drain()


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    a_uri = a.listening_uri()
    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', '--connect', a_uri])
    a.wait_for(r'\? bob .*=$', what='bob direct, native unverified')
    b.wait_for(r'\? alice .*=$', what='alice direct, native unverified')
    b.type('/verify alice')
    b.wait_for(r'If they match, type /verify alice yes')
    b.type('/verify alice yes')
    b.wait_for(r'✓ alice', what='alice marked verified')
    tap.ok('B links to A over native E2E, keys pinned on both sides, B verifies A')

    b.type('/disconnect alice')
    a.wait_for(r'bob left')
    b.wait_for(r'Peers \(0\)')
    port = int(a_uri.rsplit(':', 1)[1])
    relay = StrippingRelay(port)
    b.type(f'/connect ws://127.0.0.1:{relay.port}')
    a.wait_for(r'WARNING: bob came back WITHOUT its known key', timeout=15,
               what="A's loud warning")
    b.wait_for(r'WARNING: the link to ws://127\.0\.0\.1:\d+ was refused', timeout=15,
               what="B's loud warning")
    if relay.stripped < 1:
        raise Failure('the relay stripped nothing')
    for me, nick in ((a, 'bob'), (b, 'alice')):
        screen = me.screen()
        if '!!! WARNING' not in screen:
            raise Failure(f'the warning is not marked as one:\n{screen}')
        if re.search(rf'[~?✓!] {nick}\s', screen.split('Peers (')[1]) or 'compat E2E' in screen:
            raise Failure(f'{nick} came back linked (compat?):\n{screen}')
    tap.ok('through a caps-stripping relay the link is refused: A warns that bob came back without his '
           'known key, B that its link was refused, nobody is linked in compat E2E')

    b.type('/quit')
    a.type('/quit')
    b.exit_status()
    a.exit_status()


if __name__ == '__main__':
    main(test)
