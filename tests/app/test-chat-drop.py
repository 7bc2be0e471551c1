#!/usr/bin/python3
# test-chat-drop.py: a dropped link stays dropped (issue 16, bug 3).
#
# bob dials alice; alice (the listening side) drops the link with
# /disconnect: bob does not dial again by himself (it was undone a second
# later before), both stay apart, and /reconnect alice on bob's side asks
# again. alice, who never dialled bob, is told to ask or /connect.
#
# SPDX-License-Identifier: MIT

import time

from anychat_tmux import Failure, Instance, main


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    uri = a.listening_uri()
    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', '--connect', uri])
    a.wait_for(r'bob joined')
    b.wait_for(r'\? alice .*=$', what='alice linked')

    a.type('/disconnect bob')
    a.wait_for(r'bob left')
    b.wait_for(r'alice dropped the link: /reconnect alice to ask again')
    # bob's retry used to come within 1 s: 3 s apart
    # (a negative check cannot be a wait for something to show up)
    time.sleep(3)
    if 'Peers (0)' not in a.screen() or 'Peers (0)' not in b.screen():
        raise Failure('the dropped link came back by itself:\n' + a.screen() + '\n' + b.screen())
    tap.ok('alice drops the link she did not dial; bob does not dial again by himself')

    a.type('/reconnect bob')
    a.wait_for(r'No dropped link to bob that we dialled: /connect its address')
    b.type('/reconnect alice')
    a.wait_for(r'bob joined')
    b.wait_for(r'\? alice .*=$', what='alice linked again')
    tap.ok('/reconnect alice on bob\'s side links them again; alice, who never dialled, is told so')


if __name__ == '__main__':
    main(test)
