#!/usr/bin/python3
# test-chat-paste.py: bracketed paste and the one text limit (issue 16).
#
# A paste of several lines is not sent line by line as Enter would: the
# user is asked (y/n); y sends them, in order, "/quit" as text; a long
# paste goes out a few lines a second, within what peers accept from
# one author, so none is dropped. One line goes into the input line. A
# line over 8192 bytes (what peers accept) is cut with a notice, and
# the sender's log keeps what the peer's does.
#
# SPDX-License-Identifier: MIT

import os
import time

from anychat_tmux import Failure, Instance, main


def room_log(instance):
    path = os.path.join(instance.data_home, 'anychat', 'logs', 'room.log')
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as f:
        return [line.rstrip('\n').split('\t') for line in f]


def wait_log(instance, predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate(room_log(instance)):
        if time.monotonic() > deadline:
            raise Failure(f'{instance.name}: no {what} in room.log after {timeout} s:\n{instance.screen()}')
        time.sleep(0.1)


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', a.listening_uri()])
    a.wait_for(r'Peers \(1\)')
    b.wait_for(r'Peers \(1\)')

    a.paste('line one\nline two\nline three\n')
    a.wait_for(r'Send the 3 pasted lines to room\? \(y/n\)')
    a.type('n', enter=False)
    a.wait_for(r'The 3 pasted lines were not sent')
    a.paste('line one\nline two\n/quit\n')
    a.wait_for(r'Send the 3 pasted lines to room\? \(y/n\)')
    if 'line one' in b.screen():
        raise Failure('sent before y:\n' + b.screen())
    a.type('y', enter=False)
    b.wait_for(r'<alice> line one\s+│\n.*<alice> line two\s+│\n.*<alice> /quit', what='the three lines in order')
    a.wait_for(r'»alice« /quit')
    tap.ok('a paste of 3 lines asks first: n drops it, y sends them in order ("/quit" as text)')

    a.paste('just one line\n')
    a.wait_for(r'^\[room\] just one line', what='one pasted line in the input line')
    if 'just one line' in b.screen():
        raise Failure('one pasted line was sent without Enter')
    a.keys('Enter')
    b.wait_for(r'<alice> just one line')
    tap.ok('one pasted line goes into the input line, sent on Enter')

    lines = [f'paced {i:02d}' for i in range(30)]
    a.paste('\n'.join(lines))
    a.wait_for(r'Send the 30 pasted lines to room\? \(y/n\)')
    a.type('y', enter=False)
    wait_log(b, lambda log: [row[3] for row in log if row[3].startswith('paced')] == lines,
             'the 30 pasted lines, in order')
    if 'dropping the excess' in b.screen():
        raise Failure('bob dropped pasted lines:\n' + b.screen())
    tap.ok('30 pasted lines all reach bob, in order, within his flood limits')

    a.paste('x' * 9000)
    a.wait_for(r'The line is full \(8192 bytes, what peers accept\): 808 bytes were not added')
    a.keys('Enter')
    wait_log(b, lambda log: log and log[-1][3].startswith('xxx'), 'the long line')
    wait_log(a, lambda log: log and log[-1][3].startswith('xxx'), 'the long line')
    sent, got = room_log(a)[-1][3], room_log(b)[-1][3]
    if len(sent) != 8192 or sent != got:
        raise Failure(f'alice logged {len(sent)} bytes, bob {len(got)}')
    tap.ok('a line over 8192 bytes: a notice says what was left out; sender and peer keep the same 8192 bytes')


if __name__ == '__main__':
    main(test)
