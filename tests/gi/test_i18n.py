#!/usr/bin/python3
# test_i18n.py: the library's own errors are translated (issue 18)
#
# SPDX-License-Identifier: MIT
#
# Run with LANGUAGE=fr, LC_ALL=C.UTF-8 and ANYSOCKET_LOCALEDIR pointing at
# the build tree's po/ (meson sets them), in a program that binds no text
# domain itself: an error the library gives the application comes in
# French from the "anysocket" domain, which the library binds, while a
# disconnect reason, which crosses the wire, stays English. Prints TAP.

import locale
import sys

import gi
import tap
from test_socket import GiTestCase, Pending

gi.require_version('AnySocket', '1')
gi.require_version('Json', '1.0')
from gi.repository import AnySocket, GLib, Json  # noqa: E402


class I18nTest(GiTestCase):

    def test_local_error_is_french(self):
        sock = self.new_socket()
        pending = Pending()
        sock.connect_async('ftp://127.0.0.1:1', None, pending)
        self.wait(lambda: pending.done, 'connect_async with a bad URI')
        with self.assertRaises(GLib.Error) as raised:
            sock.connect_finish(pending.result)
        self.assertEqual(raised.exception.message,
                         'URI « ftp://127.0.0.1:1 » invalide : le schéma doit être ws://, wss://, tcp:// ou unix://')

    def test_wire_reason_stays_english(self):
        server = self.new_socket(max_message_size=1024)
        client = self.new_socket()
        reasons = []
        client.connect('disconnected', lambda s, peer, reason: reasons.append(reason))
        peer = self.connect_to(client, self.listen(server))
        # over the server's message limit (not its WebSocket frame limit,
        # twice as large): closed by the protocol with a reason
        peer.send(Json.from_string('"%s"' % ('x' * 1500)))
        self.wait(lambda: reasons, 'the server closing the link')
        self.assertTrue(reasons[0].startswith('Message too big'), reasons[0])


if __name__ == '__main__':
    # as any program that shows translated text does (LANGUAGE is read
    # only once the locale is not "C")
    locale.setlocale(locale.LC_ALL, '')
    sys.exit(tap.main(sys.modules[__name__]))
