#!/usr/bin/python3
# test-chat-i18n.py: anychat for a French user (issue 16, bug 6).
#
# /help in French shows each command's translated help, and never the
# catalogue's header, which gettext ("") returns (it once did for /close
# and /peers, whose argument list is empty). 66 rows: the commands must
# stay on screen above /help's closing lines (the mesh's among them).
#
# SPDX-License-Identifier: MIT

import os

from anychat_tmux import Failure, Instance, main


def test(tap, tmux):
    a = Instance(tmux, 'a', ['--nick', 'amelie', '--listen', 'ws://127.0.0.1:0'], height=66,
                 env={'LANGUAGE': 'fr', 'ANYCHAT_LOCALEDIR': os.environ['ANYCHAT_LOCALEDIR']})
    a.wait_for(r'ws://127\.0\.0\.1:\d+', what='the listening address')
    a.type('/help')
    a.wait_for(r'/close\s+— fermer cette fenêtre privée')
    a.wait_for(r'/peers\s+— ')
    screen = a.screen()
    if 'Project-Id-Version' in screen or 'Content-Type' in screen:
        raise Failure('/help shows the catalogue header:\n' + screen)
    tap.ok('/help in French: /close and /peers translated, no catalogue header')

    # the rooms and the rest of issue 16's features, in French too
    a.wait_for(r'/join #SALON — rejoindre un salon')
    a.wait_for(r'/search \[TEXTE\] — chercher TEXTE')
    a.type('/join #dev')
    a.wait_for(r'^ \[2\] #dev — 1 membre', what='the title of #dev in French')
    a.wait_for(r'Vous avez rejoint #dev')
    a.type('/away déjeuner')
    a.wait_for(r'Vous êtes absent : déjeuner')
    a.wait_for(r'^ amelie \(absent\) \|')
    tap.ok('/join, /search, /away: their help, the room title and the status bar in French')


if __name__ == '__main__':
    main(test)
