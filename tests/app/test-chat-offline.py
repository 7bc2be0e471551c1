#!/usr/bin/python3
# test-chat-offline.py: private messages to a node that is offline
# (issue 16): kept on disk, marked (queued), delivered when the node is
# reachable again, after both sides restarted.
#
# SPDX-License-Identifier: MIT

import os
import time

from anychat_tmux import WAIT, Failure, Instance, free_port, main


def test(tap, tmux):
    uri = f'ws://127.0.0.1:{free_port()}'
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', uri])
    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', uri])
    a.wait_for(r'bob joined')
    a.type('/msg bob before')
    a.keys('M-2')
    a.wait_for(r'before \(delivered\)')
    # alice learns bob's mesh node from its announcements (1 s apart):
    # a window waits for a node it knows
    time.sleep(3)

    b.type('/quit')
    b.exit_status()
    a.wait_for(r'^ \[2\] bob — gone', what='the window says bob is gone')
    a.type('while you were away')
    a.wait_for(r'while you were away \(queued\)')
    outbox = [t for p, t in a.files_under('data').items() if p.endswith('outbox.json')]
    if not outbox or 'while you were away' not in outbox[0]:
        raise Failure(f'the queued message is not on disk: {outbox!r}')
    tap.ok('a line to a peer that left is marked (queued) and kept in outbox.json')

    a.type('/quit')
    a.exit_status()
    a2 = Instance(tmux, 'a2', ['--nick', 'alice', '--listen', uri], home='a')
    a2.wait_for(r'1 private message waits for its peer to come back')
    tap.ok('after a restart the sender still has it and says so')

    b2 = Instance(tmux, 'b2', ['--nick', 'bob', '--no-listen', uri], home='b')
    a2.wait_for(r'Queued private message delivered to bob: while you were away', timeout=WAIT * 2)
    b2.wait_for(r'2:alice\(1\)')
    b2.keys('M-2')
    b2.wait_for(r'<alice> while you were away')
    outbox = [t for p, t in a2.files_under('data').items() if p.endswith('outbox.json')]
    if outbox and 'while you were away' in outbox[0]:
        raise Failure('delivered, but still in outbox.json')
    tap.ok('the peer restarted too: the message is delivered, shown in its window, and leaves the outbox')


if __name__ == '__main__':
    main(test)
