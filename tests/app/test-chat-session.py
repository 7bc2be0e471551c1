#!/usr/bin/python3
# test-chat-session.py: what anychat keeps across runs.
#
# First run: identity and stable id created 0600 under XDG_CONFIG_HOME.
# A restart keeps them (same key), reloads the room's log into the
# scrollback, and a peer that was connected to it reconnects by itself
# (backoff). Then A comes back with a NEW key under the same identity:
# B, which pinned the first key (trust on first use), refuses it and
# warns loudly.
#
# SPDX-License-Identifier: MIT

import os
import stat
import time

from anychat_tmux import Failure, Instance, free_port, main


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test(tap, tmux):
    port = free_port()
    uri = f'ws://127.0.0.1:{port}'
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', uri])
    a.wait_for(rf'listening {uri}')
    identity = os.path.join(a.config_home, 'anychat', 'identity')
    stable_id = os.path.join(a.config_home, 'anychat', 'id')
    for path in (identity, stable_id):
        if not os.path.exists(path) or mode(path) != 0o600:
            raise Failure(f'{path} missing or not 0600')
    with open(identity, 'rb') as f:
        key = f.read()
    tap.ok('first run: identity and stable id created under $XDG_CONFIG_HOME/anychat, mode 0600')

    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', uri])
    b.wait_for(r'\? alice .*=$', what='alice, native E2E')
    a.type('said before the restart')
    b.wait_for(r'<alice> said before the restart')
    a.type('/msg bob private before the restart')
    b.wait_for(r'2:alice\(1\)')
    tap.ok('B connects to A over native E2E and gets its room and private messages')

    a.type('/quit bye')
    if a.exit_status() != 0:
        raise Failure('A did not exit with 0')
    b.wait_for(r'alice left')
    b.wait_for(rf'Reconnecting to {uri} in \d+ s|Cannot connect to {uri}')
    tap.ok('A quits; B shows it left and retries')

    a2 = Instance(tmux, 'a2', ['--nick', 'alice', '--listen', uri], home='a')
    a2.wait_for(r'said before the restart', what='scrollback reloaded from the log')
    b.wait_for(r'\? alice .*=$', timeout=30, what='alice back in the peer list')
    with open(identity, 'rb') as f:
        if f.read() != key:
            raise Failure('the identity changed across a restart')
    a2.type('said after the restart')
    b.wait_for(r'<alice> said after the restart')
    a2.type('/query bob')
    a2.wait_for(r'^ \[2\] bob')
    a2.wait_for(r'»alice« private before the restart', what='private log reloaded')
    a2.type('/close')
    a2.wait_for(r'^ \[1\] room')
    tap.ok('restarted A keeps its key and reloads its room log, and a private log on /query; B reconnects by itself')

    # every setting from a config file: nick, listen, connect, log
    d = Instance(tmux, 'd', [], config=f'[anychat]\nnick=dora\nlisten=ws://127.0.0.1:0;\n'
                                      f'connect={uri};\nlog=false\nheartbeat=300\n')
    d.wait_for(r'^ dora \| listening ws://127\.0\.0\.1:\d+')
    a2.wait_for(r'dora joined \(direct\)')
    d.type('dora speaks')
    b.wait_for(r'<dora> dora speaks')
    if d.files_under('data'):
        raise Failure(f'log=false, yet: {list(d.files_under("data"))}')
    d.type('/quit')
    d.exit_status()
    tap.ok('a config file sets nick, listen, auto-connect and log=false')

    a2.type('/quit')
    a2.exit_status()
    b.wait_for(r'alice left')
    os.unlink(identity)   # a new key pair, same stable id: an impostor or a reinstall
    a3 = Instance(tmux, 'a3', ['--nick', 'alice', '--listen', uri], home='a')
    a3.wait_for(rf'listening {uri}')
    b.wait_for(r'WARNING: alice presented a DIFFERENT KEY', timeout=30)
    b.wait_for(r'the key of peer[\s│]+[0-9a-f]{32}[\s│]+changed')
    if '? alice' in b.screen().split('Peers (')[1].split('\n')[1]:
        raise Failure('B accepted the changed key:\n' + b.screen())
    # the retry would come within 1 s: 3 s without a second warning
    # (a negative check cannot be a wait for something to show up)
    time.sleep(3)
    if b.screen().count('!!! WARNING') != 1:
        raise Failure('B kept retrying a peer whose key changed:\n' + b.screen())
    tap.ok('a known peer with a different key is refused by the library (pinned), B warns loudly and stops retrying')

    # the side whose key changed is told that its own key is not the
    # known one, not that the others changed theirs
    a3.wait_for(r'WARNING: bob refused the link: it knows another key for you', timeout=30)
    if 'bob presented a DIFFERENT KEY' in a3.screen():
        raise Failure('A, whose key changed, blames bob:\n' + a3.screen())
    tap.ok('A, whose key changed, is told that bob knows another key for it')

    # B accepts the new key, after asking: then a new link is taken
    b.type('/trust alice')
    b.wait_for(r'known: +(\d{5} ){5}')      # the rest wraps on the next row
    b.wait_for(r'presented: +(\d{5} ){5}')
    b.wait_for(r'If they confirm the new one, type /trust alice yes')
    b.type('/trust alice yes')
    b.wait_for(r'The new key of alice is remembered')
    b.type(f'/connect {uri}')
    b.wait_for(r'\? alice .*=$', what='alice linked again, native E2E, unverified')
    a3.wait_for(r'bob joined')
    b.type('welcome back')
    a3.wait_for(r'<bob> welcome back')
    tap.ok('/trust alice shows both fingerprints; /trust alice yes, and her new key links (unverified)')


if __name__ == '__main__':
    main(test)
