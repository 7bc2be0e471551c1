#!/usr/bin/python3
# test-chat-transports.py: anychat listening on wss://, tcp:// and unix://.
#
# --listen wss://... with --cert/--key: a TLS client trusting the
# throwaway certificate (made by openssl here) gets its WebSocket upgrade;
# without a certificate, or with half of one, anychat says so in one line.
# /listen wss://HOST:PORT CERT KEY in a running instance, and two
# instances linked over tcp:// and over unix://, chatting.
#
# SPDX-License-Identifier: MIT

import os
import re
import shutil
import socket
import ssl
import subprocess

from anychat_tmux import Failure, Instance, free_port, main
from importlib import import_module

cli = import_module('test-chat-cli')

UPGRADE = (b'GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
           b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')


def make_cert(folder):
    cert, key = os.path.join(folder, 'cert.pem'), os.path.join(folder, 'key.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1',
                    '-keyout', key, '-out', cert], check=True, capture_output=True, timeout=30)
    return cert, key


def upgrade_over_tls(port, cert):
    """The first line of the answer to a WebSocket upgrade over TLS, trusting @cert only."""
    context = ssl.create_default_context(cafile=cert)
    with socket.create_connection(('127.0.0.1', port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname='127.0.0.1') as tls:
            tls.sendall(UPGRADE)
            return tls.recv(4096).split(b'\r\n')[0].decode()


def test(tap, tmux):
    if shutil.which('openssl') is None:
        tap.ok('# SKIP openssl is not installed')
        return
    home = os.path.join(tmux.tmp, 'cli')
    os.makedirs(home)
    cert, key = make_cert(tmux.tmp)

    cli.one_line_error(cli.run(['--listen', 'wss://127.0.0.1:0'], home), 1, 'needs a TLS certificate')
    cli.one_line_error(cli.run(['--listen', 'wss://127.0.0.1:0', '--cert', cert], home), 2,
                       'needs both --cert and --key')
    cli.one_line_error(cli.run(['--listen', 'wss://127.0.0.1:0', '--cert', cert, '--key', cert + '.missing'],
                               home), 2, 'Cannot load the certificate')
    tap.ok('wss:// without a certificate, --cert without --key, a missing key: one line each')

    port = free_port()
    server = Instance(tmux, 'server', ['--nick', 'server', '--listen', f'wss://127.0.0.1:{port}',
                                       '--cert', cert, '--key', key])
    server.wait_for(rf'wss://127\.0\.0\.1:{port}', what='the wss:// address')
    answer = upgrade_over_tls(port, cert)
    if ' 101 ' not in answer + ' ':
        raise Failure(f'a TLS client got {answer!r}, not 101')
    tap.ok('--listen wss:// with --cert/--key: a TLS client trusting the certificate gets its 101')

    second = free_port()
    server.type(f'/listen wss://127.0.0.1:{second} {cert} {key}')
    server.wait_for(rf'Listening on wss://127\.0\.0\.1:{second}')
    if ' 101 ' not in upgrade_over_tls(second, cert) + ' ':
        raise Failure('no 101 on the port of /listen wss://')
    tap.ok('/listen wss://HOST:PORT CERT KEY listens over TLS too')

    path = os.path.join(tmux.tmp, 'chat.sock')
    tcp = free_port()
    server.type(f'/listen unix://{path}')
    server.wait_for(rf'Listening on unix://{re.escape(path)}')
    server.type(f'/listen tcp://127.0.0.1:{tcp}')
    server.wait_for(rf'Listening on tcp://127\.0\.0\.1:{tcp}')
    mode = os.stat(path).st_mode & 0o777
    if mode != 0o600:
        raise Failure(f'the unix socket has mode {mode:o}, not 600')
    tap.ok('/listen unix:///PATH (mode 600) and /listen tcp://HOST:PORT')

    for name, uri in (('over-unix', f'unix://{path}'), ('over-tcp', f'tcp://127.0.0.1:{tcp}')):
        client = Instance(tmux, name, ['--no-listen', '--nick', name, uri])
        client.wait_for(r'server joined', what='the server joining')
        client.type(f'hello from {name}')
        server.wait_for(rf'hello from {name}')
        client.type('/quit')
        client.exit_status()
    tap.ok('instances linked over unix:// and tcp:// chat')

    server.type('/quit')
    server.exit_status()
    if os.path.exists(path):
        raise Failure('the unix socket file is still there after /quit')
    tap.ok('quitting removes the unix socket file')


if __name__ == '__main__':
    main(test)
