#!/usr/bin/python3
"""Writes the seed inputs of the fuzz targets into corpus/NAME/seed-*.

Run it again after changing a seed; inputs found by fuzzing are added to
the same folders by hand (named after the bug they found) and kept.
SPDX-License-Identifier: MIT
"""
import base64
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ID_A = 'a' * 32
ID_B = 'b' * 32
ID_C = 'c' * 32
ID_US = '0123456789abcdef' * 2   # the socket under test (fuzz-socket.c)
CUT = b'\xff'
# a valid uncompressed secp521r1 point (Wycheproof ecdh_secp521r1_ecpoint)
P521 = bytes.fromhex(
    '040064da3e94733db536a74a0d8a5cb2265a31c54a1da6529a198377fbd38575d9d797'
    '69ca2bdf2d4c972642926d444891a652e7f492337251adf1613cf3077999b5ce00e04a'
    'd19cf9fd4722b0c824c069f70c3c0e7ebc5288940dfa92422152ae4a4f79183ced375a'
    'fb54db1409ddf338b85bb6dbfc5950163346bb63a90a70c5aba098f7')

AUTH, INTERNAL, LINK, SWITCH, HEARTBEAT = 1, 2, 3, 4, 5


def seq_points(seq):
    """The 4 bytes of seq as code points, in UTF-8 (PROTOCOL.md 2)."""
    return ''.join(chr(b) for b in struct.pack('>i', seq)).encode('utf-8')


def chunk(ptype, seq, body, last=True):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body, separators=(',', ':'), ensure_ascii=False)
    if isinstance(body, str):
        body = body.encode('utf-8')
    return (b'1' if last else b'2') + str(ptype).encode() + seq_points(seq) + body


def forward(to, frm, inner):
    ids = bytes.fromhex(to) + bytes.fromhex(frm)
    return b'6' + ''.join(chr(b) for b in ids).encode('utf-8') + inner


def frames(*items):
    return CUT.join(items)


SOCKET = {
    'message': frames(chunk(LINK, 2, {'hello': 'wörld', 'n': [1, 2.5, True, None]})),
    'request-reply': frames(chunk(LINK, 3, {'q': 1}), chunk(LINK, -1, {'a': 1}), chunk(LINK, -99, {})),
    'partial': frames(chunk(LINK, 7, '{"big":"' + 'x' * 40, last=False),
                      chunk(LINK, 8, '[1,', last=False), chunk(LINK, 7, '"}'), chunk(LINK, 8, '2]')),
    'rpc': frames(chunk(INTERNAL, 4, {'type': 3, 'method': ['math', 'add'], 'params': [1, 2], 'bin': []}),
                  chunk(INTERNAL, 5, {'type': 3, 'method': ['blob'], 'params': ['AAEC/w=='], 'bin': [0]}),
                  chunk(INTERNAL, 6, {'type': 3, 'method': ['fail', 'now'], 'params': []}),
                  chunk(INTERNAL, 7, {'type': 4, 'method': ['note'], 'params': [{}]})),
    'synced-time': frames(chunk(INTERNAL, 9, {'type': 5, 'time': 1764000000000})),
    'proxy': frames(chunk(INTERNAL, 10, {'type': 2, 'action': 'proxy', 'id': ID_B}),
                    forward(ID_B, ID_A, chunk(LINK, 1, {'via': 'hub'})),
                    chunk(INTERNAL, 11, {'type': 2, 'action': 'unproxy', 'id': ID_B})),
    'network': frames(chunk(INTERNAL, 12, {'type': 1, 'action': 'connected', 'id': ID_C}),
                      forward(ID_US, ID_C, chunk(LINK, 1, {'from': 'c'})),
                      chunk(INTERNAL, 13, {'type': 1, 'action': 'disconnected', 'id': ID_C})),
    'heartbeat': frames(chunk(HEARTBEAT, 14, 1), chunk(HEARTBEAT, -1, 2)),
    'switch-compat': frames(chunk(SWITCH, 15, {'type': 2, 'key': base64.b64encode(P521).decode(),
                                               'nonce': '0f' * 32}),
                            chunk(LINK, 16, '00' * 16 + '11' * 32)),
    'switch-native': frames(chunk(SWITCH, 17, {'type': 3, 'step': 1,
                                               'noise': base64.b64encode(bytes(range(32))).decode()}),
                            chunk(SWITCH, 18, {'type': 3, 'step': 3, 'noise': 'AAAA'})),
    'switch-compat-plain': frames(chunk(AUTH, 1, {'id': ID_A}),
                                  chunk(SWITCH, 2, {'type': 2, 'key': base64.b64encode(P521).decode(),
                                                    'nonce': 'ab' * 32}),
                                  chunk(LINK, 3, '00' * 16 + '11' * 32)),
    'auth-first': frames(chunk(AUTH, 1, {'id': ID_A, 'auth': {'token': 'x'}}), chunk(LINK, 2, 'null')),
    # 'C': we connect to A, whose frames these are (its AUTH answer first)
    'client': b'C' + frames(chunk(AUTH, 1, {'id': ID_A, 'caps': {'v': 1, 'e2e': ['noise-xx']}}),
                            chunk(LINK, 2, {'hi': 1}), chunk(INTERNAL, 3, {'type': 5, 'time': 7})),
    'client-no-auth': b'C' + frames(chunk(LINK, 2, {'early': True}), chunk(AUTH, 1, {'id': ID_A})),
    'client-own-id': b'C' + frames(chunk(AUTH, 1, {'id': ID_US})),
    'client-bad-auth': b'C' + frames(chunk(AUTH, 1, {'id': 42}), chunk(AUTH, 2, [])),
    'garbage': frames(b'', b'1', b'13', chunk(LINK, 20, '{bad json'), b'\x00\x01', chunk(9, 21, '{}')),
}

# fuzz-noise.c: the same packets, sealed by a native E2E peer, and a
# hostile relay's replay (R), tamper (T + which byte) and plain text (P)
NOISE = {name: data for name, data in SOCKET.items()
         if name in ('message', 'request-reply', 'partial', 'rpc', 'synced-time', 'proxy', 'network',
                     'heartbeat', 'switch-native', 'switch-compat', 'garbage')}
NOISE.update({
    'replay': frames(chunk(LINK, 2, {'once': 1}), b'R', chunk(LINK, 3, {'after': 1})),
    'tamper-header': frames(b'T\x01' + chunk(LINK, 2, {'t': 1})),
    'tamper-body': frames(b'T\x20' + chunk(INTERNAL, 2, {'type': 5, 'time': 1})),
    'plain-after-e2e': frames(b'P' + chunk(LINK, 2, {'in': 'clear'})),
    'big-partial': frames(*(chunk(LINK, 4, 'x' * 4000, last=False) for _ in range(20)), chunk(LINK, 4, '"')),
})

JSON = {
    'object': '{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-1.5e-3}',
    'escapes': '"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/ \u6f22\u5b57"',
    'numbers': '[0,-0,1e308,-1e-308,123456789012345678,9007199254740993,1.0,2E+2]',
    'nested': '[[[[[[[[[[{"x":[[]]}]]]]]]]]]]',
    'empty': '{}',
    'bad': '{"a":1,}',
}

CODEC = {
    'chunks': frames(chunk(LINK, 1, '{}'), chunk(LINK, 2, '[', last=False), chunk(LINK, 2, ']'),
                     chunk(INTERNAL, -2147483648, 'x'), chunk(LINK, 2147483647, 'é')),
    'forward': frames(forward(ID_A, ID_B, chunk(LINK, 3, '{"a":1}'))),
    'base64': frames(b'AAEC/w==', b'QUJD', b'', b'A===', b'AB=C'),
    'type-change': frames(chunk(LINK, 5, 'a', last=False), chunk(INTERNAL, 5, 'b')),
}

CHAT = {
    'hello': json.dumps({'chat': 'hello', 'v': 1, 'nick': 'alice', 'uid': ID_C,
                         'peers': [{'id': ID_B, 'nick': 'bob', 'hub': ID_A, 'uid': ID_C}]}),
    'room': json.dumps({'chat': 'room', 'mid': ID_C, 'from': ID_A, 'nick': 'alice',
                        'text': 'hi \u00e9 \u6f22 \ud83d\ude00 \u001b[2J', 'ts': 1764000000000, 'ttl': 8}),
    'presence': json.dumps({'chat': 'presence', 'mid': ID_B, 'from': ID_A, 'nick': 'bob', 'event': 'nick',
                            'old': 'bobby', 'ts': 1, 'ttl': 3}),
    'join': json.dumps({'chat': 'presence', 'mid': ID_B, 'from': ID_A, 'nick': 'bob', 'event': 'join',
                        'hub': ID_C, 'uid': ID_B, 'ts': 1, 'ttl': 17}),
    'private': json.dumps({'chat': 'private', 'mid': ID_A, 'nick': 'carol', 'text': 'x' * 100, 'ts': 5}),
    'receipt': json.dumps({'chat': 'receipt', 'mid': ID_A}),
    # issue 16: named rooms, /me, topics, away and rooms in presence and hellos
    'room-named': json.dumps({'chat': 'room', 'mid': ID_C, 'from': ID_A, 'nick': 'alice', 'text': 'waves',
                              'room': '#D\u00e9v', 'me': True, 'ts': 1, 'ttl': 8}),
    'topic': json.dumps({'chat': 'topic', 'mid': ID_C, 'from': ID_A, 'nick': 'alice', 'room': '#dev',
                         'text': 'release \u202e friday', 'ts': 1, 'ttl': 8}),
    'away': json.dumps({'chat': 'presence', 'mid': ID_B, 'from': ID_A, 'nick': 'bob', 'event': 'away',
                        'text': 'lunch', 'ts': 1, 'ttl': 8}),
    'rooms': json.dumps({'chat': 'presence', 'mid': ID_B, 'from': ID_A, 'nick': 'bob', 'event': 'rooms',
                         'rooms': ['#dev', '#ops'], 'ts': 1, 'ttl': 8}),
    'hello-rooms': json.dumps({'chat': 'hello', 'v': 1, 'nick': 'alice', 'away': '', 'rooms': ['#dev'],
                               'topics': [{'nick': 'b', 'text': 'lobby', 'ts': 2},
                                          {'room': '#dev', 'nick': 'c', 'text': 'release', 'ts': 3}],
                               'peers': [{'id': ID_B, 'nick': 'bob', 'hub': ID_A, 'away': 'x',
                                          'rooms': ['#ops']}]}),
}

# a sender of files (fuzz-transfer.c): one message a line
SHA_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'


def file_lines(*messages):
    return '\n'.join(json.dumps(m) for m in messages)


TRANSFER = {
    'whole': file_lines({'file': 'offer', 'id': 'x', 'name': '../../a.txt', 'size': 3, 'sha256': SHA_ABC},
                        {'file': 'chunk', 'id': 'x', 'seq': 0, 'data': 'YWJj'}),
    'more': file_lines({'file': 'offer', 'id': 'x', 'name': '.hidden', 'size': 2, 'sha256': SHA_ABC},
                       {'file': 'chunk', 'id': 'x', 'seq': 0, 'data': 'YWJj'},
                       {'file': 'chunk', 'id': 'x', 'seq': 1, 'data': 'YWJj'}),
    'short': file_lines({'file': 'offer', 'id': 'x', 'name': 'a\u202eb\u0007', 'size': 6, 'sha256': SHA_ABC},
                        {'file': 'chunk', 'id': 'x', 'seq': 0, 'data': 'YWJj'},
                        {'file': 'end', 'id': 'x'}),
    'twice': file_lines({'file': 'offer', 'id': 'x', 'name': 'same', 'size': 3, 'sha256': SHA_ABC},
                        {'file': 'offer', 'id': 'y', 'name': 'same', 'size': 3, 'sha256': SHA_ABC},
                        {'file': 'chunk', 'id': 'y', 'seq': 0, 'data': 'YWJj'},
                        {'file': 'chunk', 'id': 'x', 'seq': 0, 'data': 'YWJj'},
                        {'file': 'cancel', 'id': 'x', 'reason': 'bye'}),
}


def write(target, name, data):
    folder = os.path.join(HERE, 'corpus', target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode('utf-8')
    with open(os.path.join(folder, 'seed-' + name), 'wb') as f:
        f.write(data)


for corpus, target in ((SOCKET, 'socket'), (NOISE, 'noise'), (JSON, 'json'), (CODEC, 'codec'),
                       (CHAT, 'chat'), (TRANSFER, 'transfer')):
    for name, data in corpus.items():
        write(target, name, data)
