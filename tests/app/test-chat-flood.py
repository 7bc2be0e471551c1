#!/usr/bin/python3
# test-chat-flood.py: a peer that floods the room is cut down to a human
# rate, and nobody else loses a message.
#
# alice listens, bob (another anychat) is linked to her, and a hostile
# peer (PyGObject, the chat protocol of the README) sends FLOOD room
# messages to alice as fast as it can, as one author. alice must show and
# log at most the limit's worth of them, relay no more than that to bob,
# say once for each limit that it drops the excess, and still carry bob's
# and her own messages both ways. A second peer then sends a burst of
# 4,000-byte lines: shown, but only the log's share of them is written.
# Skipped (77) without the typelib (GI_TYPELIB_PATH from meson).
#
# SPDX-License-Identifier: MIT

import os
import subprocess
import time

from anychat_tmux import WAIT, Failure, Instance, Tap, main

FLOOD = 10000
AUTHOR_BURST, AUTHOR_PER_SECOND = 20, 5            # app/chat-mesh-room.c
LOG_BURST, LOG_PER_SECOND = 64 * 1024, 512         # app/chat-log.h


def room_log(instance):
    for path, text in instance.files_under('data').items():
        if path.endswith('room.log'):
            return text.splitlines()
    return []


def flooder_lines(instance, nick):
    # at alice "flooder", at bob "flooder (via alice)": relayed by alice
    return [line for line in room_log(instance) if f'\t{nick}\t' in line or f'\t{nick} (via ' in line]


def flood(uri, total, size, nick):
    started = time.monotonic()
    run = subprocess.run(['/usr/bin/python3', '-c', FLOODER, uri, str(total), str(size), nick],
                         capture_output=True, text=True, timeout=WAIT * 4)
    if f'sent {total}' not in run.stdout:
        raise Failure(f'the flooder did not send its messages: {run.stdout!r} {run.stderr!r}')
    return started, time.monotonic() - started


def test(tap, tmux):
    alice = Instance(tmux, 'alice', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    uri = alice.listening_uri()
    bob = Instance(tmux, 'bob', ['--nick', 'bob', '--no-listen', '--connect', uri])
    alice.wait_for(r'bob joined')

    started, seconds = flood(uri, FLOOD, 16, 'flooder')
    tap.ok(f'a hostile peer sent {FLOOD} room messages to alice ({seconds:.1f} s)')

    alice.wait_for(r'flooder says more than 5 things a second in the room:')
    tap.ok('alice says that she drops the excess of the author (a peer speaking the old JSON is one author)')

    # nobody else lost anything, both ways, after the flood
    bob.type('bob after the flood')
    alice.wait_for(r'<bob> bob after the flood')
    alice.type('alice after the flood')
    bob.wait_for(r'<alice> alice after the flood')
    tap.ok("bob's and alice's room messages still arrive both ways")

    bound = AUTHOR_BURST + AUTHOR_PER_SECOND * (time.monotonic() - started) + 1
    logged = flooder_lines(alice, 'flooder')
    warnings = [line for line in room_log(alice) if 'dropping the excess' in line]
    told = sorted(line.split('\t')[3].split(':')[0] for line in warnings)
    if not 0 < len(logged) <= bound:
        raise Failure(f"alice took {len(logged)} of the flooder's messages (bound {bound:.0f})")
    if told != ['flooder says more than 5 things a second in the room']:
        raise Failure(f'alice did not warn once per limit: {warnings!r}')
    tap.ok(f'alice took {len(logged)} of {FLOOD} messages (bound {bound:.0f}), warned once per limit')

    relayed = flooder_lines(bob, 'flooder')
    if not 0 < len(relayed) <= len(logged):
        raise Failure(f"bob got {len(relayed)} of the flooder's messages; alice took {len(logged)}")
    tap.ok(f'bob got {len(relayed)} of them through alice (relayed, signed by her): the excess is not relayed')

    # A second author, on a new link: its burst of long lines is shown
    # (within the message limits) but no more than the log's share of it
    # reaches the disk.
    started, _ = flood(uri, 2 * AUTHOR_BURST, 4000, 'writer')
    alice.wait_for(r'writer says more than 5 things a second in the room:')
    logged = flooder_lines(alice, 'writer')
    logged_bytes = sum(len(line.encode()) for line in logged)
    log_bound = LOG_BURST + LOG_PER_SECOND * (time.monotonic() - started) + 4200
    if not 0 < logged_bytes <= log_bound or len(logged) >= AUTHOR_BURST:
        raise Failure(f"alice logged {len(logged)} lines, {logged_bytes} bytes of the writer "
                      f"(bound {log_bound:.0f} bytes, fewer than the {AUTHOR_BURST} shown)")
    if not any('writer writes more than the log keeps' in line for line in room_log(alice)):
        raise Failure('alice did not say that she stopped logging the writer')
    tap.ok(f"alice's log keeps {logged_bytes} bytes of the writer's 80,000 (bound {log_bound:.0f}), "
           "and says so")


# A peer speaking anychat's JSON (README, "The chat protocol"): a hello,
# then room messages as fast as the library takes them, one author.
FLOODER = '''
import json, secrets, sys, time
import gi
gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json

uri, total, size, nick = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sock = AnySocket.Socket.new()
loop = GLib.MainLoop()
sent = 0

def node(value):
    return Json.from_string(json.dumps(value))

def pump(peer):
    global sent
    for _ in range(200):
        if sent == total:
            print('sent', sent, flush=True)
            GLib.timeout_add(500, loop.quit)
            return False
        text = f'flood {sent} '.ljust(size, 'x')
        peer.send(node({'chat': 'room', 'mid': secrets.token_hex(16), 'from': sock.get_id(),
                        'nick': nick, 'text': text, 'ts': int(time.time() * 1000), 'ttl': 8}))
        sent += 1
    return True

def done(s, res):
    peer = s.connect_finish(res)
    peer.send(node({'chat': 'hello', 'v': 1, 'nick': nick, 'peers': []}))
    GLib.idle_add(pump, peer)

sock.connect_async(sys.argv[1], None, done)
GLib.timeout_add(50000, loop.quit)
loop.run()
'''


if __name__ == '__main__':
    if not os.environ.get('GI_TYPELIB_PATH'):
        Tap().skip_all('no typelib to run the flooding peer with (introspection disabled)')
    main(test)
