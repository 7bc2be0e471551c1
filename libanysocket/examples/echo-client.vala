/* echo-client.vala: an AnySocket client in Vala, with async/yield
 *
 *   echo-client-vala ws://HOST:PORT [TEXT]
 *
 * Connects, sends the request {"text": TEXT}, prints the reply as
 * "reply: <JSON>" and exits 0; any failure is printed and exits 1.
 * libanysocket-1.vapi maps each _async/_finish pair to a Vala async
 * method, so the calls read as one sequence.
 *
 * SPDX-License-Identifier: MIT
 */

// A request with no reply after this long fails (the link stays up).
const uint REQUEST_TIMEOUT_MS = 5000;

async int run (string uri, string text) {
    try {
        var client = new AnySocket.Socket ();
        AnySocket.Peer peer = yield client.connect_async (uri, null);

        var builder = new Json.Builder ();
        builder.begin_object ();
        builder.set_member_name ("text");
        builder.add_string_value (text);
        builder.end_object ();

        AnySocket.Packet reply = yield peer.request_async (builder.get_root (), REQUEST_TIMEOUT_MS, null);
        // stdout.printf writes the UTF-8 as is; print () would convert it
        // to the locale's charset, which is ASCII until setlocale ().
        stdout.printf ("reply: %s\n", Json.to_string (reply.msg, false));
        peer.close ("bye");
        return 0;
    } catch (Error e) {
        // Failures arrive as GLib.Error, in the AnySocket.SocketError domain.
        stderr.printf ("failed: %s\n", e.message);
        return 1;
    }
}

int main (string[] args) {
    if (args.length < 2 || args.length > 3) {
        stderr.printf ("usage: %s ws://HOST:PORT [TEXT]\n", args[0]);
        return 1;
    }
    var loop = new MainLoop ();
    int status = 1;
    run.begin (args[1], args.length == 3 ? args[2] : "hello", (obj, res) => {
        status = run.end (res);
        loop.quit ();
    });
    loop.run ();
    return status;
}
