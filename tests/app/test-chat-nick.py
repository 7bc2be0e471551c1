#!/usr/bin/python3
# test-chat-nick.py: the first run, and /nick lasts (issue 16).
#
# A new identity's first run welcomes the user (its address, /connect,
# /help), once. After /nick and /quit, a restart without --nick comes
# back with the new nick: /nick wrote it into the settings file in use,
# whose other keys and comments stay.
#
# SPDX-License-Identifier: MIT

from anychat_tmux import Failure, Instance, main

CONFIG = '# a fast heartbeat for the tests\n[anychat]\nheartbeat=500\n'


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], config=CONFIG)
    uri = a.listening_uri()
    a.wait_for(r'Welcome to anychat, alice')
    a.wait_for(r'Others reach you at ' + uri.replace('.', r'\.'))
    a.wait_for(r'Reach a peer with /connect ws://HOST:PORT')
    tap.ok('the first run of a new identity says where it is reached and how to reach others')
    a.type('/nick anna')
    a.wait_for(r'You are now known as anna')
    a.type('/quit')
    if a.exit_status() != 0:
        raise Failure('anychat did not exit with 0 after /quit')
    with open(a.config_path) as f:
        saved = f.read()
    if 'nick=anna' not in saved or 'heartbeat=500' not in saved or '# a fast heartbeat' not in saved:
        raise Failure(f'the settings file after /nick:\n{saved}')
    tap.ok('/nick anna wrote nick=anna into the settings file, its comment and keys kept')

    again = Instance(tmux, 'a2', ['--listen', 'ws://127.0.0.1:0'], home='a', keep_config=True)
    again.wait_for(r'^ anna \| ', what='anna in the status bar')
    tap.ok('a restart without --nick is anna again')
    if 'Welcome to anychat' in again.screen():
        raise Failure('the welcome comes again on a second run:\n' + again.screen())
    tap.ok('the welcome is for the first run only')


if __name__ == '__main__':
    main(test)
