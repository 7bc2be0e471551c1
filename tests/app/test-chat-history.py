#!/usr/bin/python3
# test-chat-history.py: history for newcomers (issue 16): a node that
# joins a room asks its neighbour for the last room messages, checks each
# one's signature by its author again, and shows them marked as history;
# so for a named room it joins later.
#
# SPDX-License-Identifier: MIT

from anychat_tmux import Failure, Instance, main


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'])
    b = Instance(tmux, 'b', ['--nick', 'bob', '--listen', 'ws://127.0.0.1:0', a.listening_uri()])
    b.wait_for(r'alice joined')
    a.type('said before carol came')
    b.wait_for(r'<alice> said before carol came')
    a.type('/join #dev')
    b.type('/join #dev')
    a.type('dev talk before carol')
    b.wait_for(r'<alice> dev talk before carol')

    c = Instance(tmux, 'c', ['--nick', 'carol', '--no-listen', b.listening_uri()])
    c.wait_for(r'History from bob \(each message signed by its author\):')
    c.wait_for(r'<alice> said before carol came')
    c.wait_for(r'End of history')
    if c.screen().count('said before carol came') != 1:
        raise Failure('the history shows twice:\n' + c.screen())
    tap.ok("a newcomer gets the room's last messages from its neighbour, under their signers, marked as history")

    c.type('/join #dev')
    c.wait_for(r'<alice> dev talk before carol')
    c.wait_for(r'End of history')
    if 'said before carol came' in c.screen():
        raise Failure("the default room's history in #dev:\n" + c.screen())
    tap.ok('/join #dev: the history of #dev, and only of #dev')


if __name__ == '__main__':
    main(test)
