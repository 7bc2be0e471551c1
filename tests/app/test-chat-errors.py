#!/usr/bin/python3
# test-chat-errors.py: errors are for the screen, and go stale (issue 16,
# bug 5).
#
# A bad /win and a /connect to a port nobody listens on show errors; when
# a peer links (bob connects), the notice line drops the stale error;
# after a restart the scrollback (from the log) holds none of those
# errors.
#
# SPDX-License-Identifier: MIT

from anychat_tmux import Failure, Instance, free_port, main

ROWS = 30


def notice_line(instance):
    return instance.screen().splitlines()[ROWS - 3]


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], height=ROWS)
    uri = a.listening_uri()
    a.type('hello before the errors')
    a.type('/win 9')
    a.wait_for(r'No window 9')
    port = free_port()
    a.type(f'/connect ws://127.0.0.1:{port}')
    a.wait_for(r'Cannot connect to ws://127\.0\.0\.1:%d' % port)
    if 'Cannot connect' not in notice_line(a):
        raise Failure('the connect error is not in the notice line:\n' + a.screen())
    tap.ok('a bad /win and a failed /connect show errors, the last in the notice line')

    # connecting to ourselves is named as such (issue 16, bug 11), not as
    # the library's "Duplicated AnySocket ID found!"
    own_port = uri.rsplit(':', 1)[1]
    a.type(f'/connect {uri}')
    a.wait_for(r'is this instance.s own address: give another peer.s')
    a.type(f'/connect ws://localhost:{own_port}')
    a.wait_for(rf'ws://localhost:{own_port} is this instance.s own address')
    if 'Duplicated AnySocket ID' in a.screen():
        raise Failure('connecting to ourselves says Duplicated AnySocket ID:\n' + a.screen())
    tap.ok('/connect to our own address (by its IP or localhost) says it is this instance')

    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', '--connect', uri])
    a.wait_for(r'bob joined')
    line = notice_line(a)
    if 'Cannot connect' in line:
        raise Failure('the stale connect error stays in the notice line once bob is linked:\n' + a.screen())
    tap.ok('once bob is linked, the notice line no longer shows the stale error')

    # a new peer's link mode and first key are one line, not two
    a.wait_for(r'Link with bob: native E2E, unverified; first time we see it:')
    if 'First time we see' in a.screen():
        raise Failure('the first key is a line of its own:\n' + a.screen())
    tap.ok("bob's link mode and first key are one line")

    a.type('/quit')
    a.exit_status()
    log = ''.join(text for path, text in a.files_under('data').items() if path.endswith('room.log'))
    if '\terror\t' in log or 'No window' in log or 'Cannot connect' in log:
        raise Failure('errors in room.log:\n' + log)
    again = Instance(tmux, 'a2', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], home='a', height=ROWS)
    again.wait_for(r'hello before the errors')
    screen = again.screen()
    if 'No window 9' in screen or 'Cannot connect' in screen:
        raise Failure('a restart replays errors into the scrollback:\n' + screen)
    tap.ok('room.log holds no error, and a restart replays none')
    del b


if __name__ == '__main__':
    main(test)
