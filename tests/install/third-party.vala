/* third-party.vala: a Vala program built against the installed library
 *
 * test-bindings.sh compiles it with `valac --pkg libanysocket-1` and the
 * installed .vapi, .deps and .pc (a DESTDIR install), so it may only use
 * what a third party gets. It listens on 127.0.0.1 port 0, connects a
 * second socket, asks one request with yield and checks the reply. Exit 0
 * on success.
 *
 * SPDX-License-Identifier: MIT
 */

async string run () throws Error {
    var server = new AnySocket.Socket ();
    server.message.connect ((packet) => {
        try {
            packet.reply (Json.from_string ("{\"answer\": 42}"));
        } catch (Error e) {
            warning ("reply: %s", e.message);
        }
    });
    uint port = yield server.listen_async ("ws://127.0.0.1:0", null);

    var client = new AnySocket.Socket ();
    AnySocket.Peer peer = yield client.connect_async ("ws://127.0.0.1:%u".printf (port), null);
    AnySocket.Packet reply = yield peer.request_async (Json.from_string ("{\"question\": \"?\"}"), 5000, null);
    int64 rtt;
    double offset;
    yield peer.get_synced_time_async (null, out rtt, out offset);
    peer.close ("bye");
    server.stop ();
    return Json.to_string (reply.msg, false);
}

int main () {
    if (!AnySocket.check_version (0, 2, 0)) {
        stderr.printf ("third-party.vala: libanysocket %u.%u is older than 0.2\n",
                       AnySocket.get_major_version (), AnySocket.get_minor_version ());
        return 1;
    }
    var loop = new MainLoop ();
    int status = 1;
    run.begin ((obj, res) => {
        try {
            string reply = run.end (res);
            if (reply == "{\"answer\":42}") {
                stdout.printf ("third-party.vala: libanysocket %u.%u.%u, reply %s\n",
                               AnySocket.get_major_version (), AnySocket.get_minor_version (),
                               AnySocket.get_micro_version (), reply);
                status = 0;
            } else {
                stderr.printf ("third-party.vala: unexpected reply %s\n", reply);
            }
        } catch (Error e) {
            stderr.printf ("third-party.vala: %s\n", e.message);
        }
        loop.quit ();
    });
    Timeout.add_seconds (20, () => {
        stderr.printf ("third-party.vala: no reply within 20 s\n");
        loop.quit ();
        return Source.REMOVE;
    });
    loop.run ();
    return status;
}
