#!/usr/bin/python3
# test-chat-files.py: /send, /accept, /reject and /transfers between two
# anychats (issue 16).
#
# Alice offers bob a 4 MiB file of random bytes; bob sees the offer in
# her window, accepts, and the file lands in his download folder
# (downloads= in his settings) beside a file of the same name that was
# there before and stays untouched: the new one is "data (1).bin", with
# alice's SHA-256. Both windows say verified, with the rate. A second
# offer is rejected, and the room chat goes on beside the transfers.
#
# SPDX-License-Identifier: MIT

import hashlib
import os

from anychat_tmux import Failure, Instance, main

SIZE = 4 * 1024 * 1024


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'alice', '--listen', 'ws://127.0.0.1:0'], width=200)
    uri = a.listening_uri()
    b = Instance(tmux, 'b', ['--nick', 'bob', '--no-listen', uri], width=200,
                 config='[anychat]\nheartbeat=500\ndownloads=~/incoming\n')
    a.wait_for(r'Link with bob: native E2E')
    b.wait_for(r'Link with alice: native E2E')

    source = os.path.join(tmux.tmp, 'a', 'data.bin')
    with open(source, 'wb') as f:
        f.write(os.urandom(SIZE))
    incoming = os.path.join(tmux.tmp, 'b', 'incoming')
    os.makedirs(incoming)
    earlier = os.path.join(incoming, 'data.bin')
    with open(earlier, 'w') as f:
        f.write('was here first\n')

    b.type('/transfers')
    b.wait_for(r'No transfers\. Received files go to .*incoming')
    a.type(f'/send bob {source}')
    a.wait_for(r'Offering .*data\.bin to bob: its progress')
    b.wait_for(r'alice offers data\.bin: /accept 1 or /reject 1')
    a.type('/win 2')
    b.type('/win 2')
    a.wait_for(r'\[1\] data\.bin \(4\.0 MiB\) offered to bob: waiting for them to accept')
    b.wait_for(r'\[1\] data\.bin \(4\.0 MiB\) offered by alice: /accept 1 or /reject 1')
    tap.ok('/send offers the file: the receiver is asked, with its name and size')

    b.type('/accept')
    b.wait_for(r'\[1\] data\.bin from alice saved as .*incoming/data \(1\)\.bin, SHA-256 verified '
               r'\(4\.0 MiB in [0-9.]+ s, [0-9.]+ [KMG]iB/s\)', what='the saved and verified line')
    a.wait_for(r'\[1\] data\.bin sent to bob, SHA-256 verified by them \(4\.0 MiB in [0-9.]+ s',
               what="the sender's verified line")
    received = os.path.join(incoming, 'data (1).bin')
    if sha256(received) != sha256(source):
        raise Failure('the file received differs from the one sent')
    with open(earlier) as f:
        if f.read() != 'was here first\n':
            raise Failure('the earlier data.bin was overwritten')
    if os.stat(received).st_size != SIZE:
        raise Failure('the file received has the wrong size')
    tap.ok('/accept: the file lands beside the earlier one of that name, with the SHA-256 of the one sent')

    a.type('hello beside the files')
    b.wait_for(r'<alice> hello beside the files')
    a.type(f'/send bob {source}')
    b.wait_for(r'\[2\] data\.bin \(4\.0 MiB\) offered by alice')
    b.type('/reject ', enter=False)
    b.keys('Tab')
    b.wait_for(r'^\[alice\] /reject 2 ?$', what='Tab completing the offer waiting')
    b.keys('Enter')
    a.wait_for(r'\[2\] data\.bin: bob rejected it')
    if sorted(os.listdir(incoming)) != ['data (1).bin', 'data.bin']:
        raise Failure(f'after /reject the folder holds {sorted(os.listdir(incoming))}')
    tap.ok('/reject (Tab completes the offer): the sender is told, nothing is written; the room chat goes on')

    a.type('/send bob /nonexistent/file')
    a.wait_for(r'/send: .*(No such file|nonexistent)')
    a.type('/cancel 7')
    a.wait_for(r'/cancel: No transfer 7')
    tap.ok('a missing file and an unknown transfer number get a clear error')


if __name__ == '__main__':
    main(test)
