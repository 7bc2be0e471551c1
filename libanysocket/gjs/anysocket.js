// anysocket.js: AnySocket for GJS, with promises and plain JS messages
//
//   import AnySocket from 'file:///usr/share/gjs-1.0/anysocket.js';
//
// GJS (1.74) loads overrides only for its own namespaces (from a resource
// search path a library cannot add to), and resolves bare module names
// only to its own modules: so libanysocket ships this ES module, installed
// as <datadir>/gjs-1.0/anysocket.js, and a program imports it by path
// instead of 'gi://AnySocket?version=1'. Its default export is that same
// AnySocket namespace, changed once for the whole program:
//
// * every _async/_finish pair goes through Gio._promisify: without a
//   callback the call returns a promise (pass every other argument:
//   peer.request_async(msg, 0, null));
// * messages are plain JS values in and out: send(), request_async(),
//   packet.reply(), broadcast(), broadcast_request_async(),
//   set_auth_data(), call_async() and notify() params,
//   RpcCall add_param() and return_value() take objects, arrays, strings,
//   numbers, booleans and null (a Json.Node still works); packet.msg,
//   call.params, call.result and call_finish() give them back
//   (packet.get_msg() and call.get_params() keep the Json types);
// * get_synced_time_finish() (and its promise) gives {rtt, offset} in
//   milliseconds.
//
// SPDX-License-Identifier: MIT

import Gio from 'gi://Gio';
import Json from 'gi://Json';
import AnySocket from 'gi://AnySocket?version=1';

/** A Json.Node from a JS value (a Json.Node is returned as it is). */
export function toJsonNode(value) {
    if (value instanceof Json.Node)
        return value;
    if (value instanceof Json.Array)
        return Json.Node.alloc().init_array(value);
    if (value instanceof Json.Object)
        return Json.Node.alloc().init_object(value);
    return Json.from_string(JSON.stringify(value === undefined ? null : value));
}

/** A JS value from a Json.Node (null from null). */
export function fromJsonNode(node) {
    return node === null ? null : JSON.parse(Json.to_string(node, false));
}

function toJsonArray(values) {
    if (values === null || values === undefined || values instanceof Json.Array)
        return values ?? null;
    return toJsonNode(Array.from(values)).get_array();
}

// Replaces proto[name] by fn(original, ...args), keeping the original's
// length: Gio._promisify tells a call with a callback from one without by
// comparing the argument count with it.
function wrap(proto, name, fn) {
    const original = proto[name];
    const wrapper = function (...args) {
        return fn.call(this, original, ...args);
    };
    Object.defineProperty(wrapper, 'length', {value: original.length});
    proto[name] = wrapper;
}

// Converts argument @index of proto[name] with @convert.
function convertArg(proto, name, index, convert) {
    wrap(proto, name, function (original, ...args) {
        if (args.length > index)
            args[index] = convert(args[index]);
        return original.apply(this, args);
    });
}

// Only once, whatever the number of URIs this module is imported by.
const done = Symbol.for('libanysocket-gjs-module');
if (!AnySocket.Socket.prototype[done]) {
    AnySocket.Socket.prototype[done] = true;
    const {Socket, Peer, Packet, RpcCall, Mesh} = AnySocket;

    convertArg(Socket.prototype, 'broadcast', 0, toJsonNode);
    convertArg(Socket.prototype, 'set_auth_data', 0, v => v === null ? null : toJsonNode(v));
    convertArg(Peer.prototype, 'send', 0, toJsonNode);
    convertArg(Peer.prototype, 'request_async', 0, toJsonNode);
    convertArg(Peer.prototype, 'call_async', 1, toJsonArray);
    convertArg(Socket.prototype, 'broadcast_request_async', 0, toJsonNode);
    convertArg(Peer.prototype, 'notify', 1, v => v === null || v === undefined ? null : toJsonArray(v));
    convertArg(Packet.prototype, 'reply', 0, toJsonNode);
    convertArg(RpcCall.prototype, 'add_param', 0, toJsonNode);
    convertArg(RpcCall.prototype, 'return_value', 0, toJsonNode);
    // The mesh (since 0.2): messages as plain values too.
    convertArg(Mesh.prototype, 'publish', 1, toJsonNode);
    convertArg(Mesh.prototype, 'send', 1, toJsonNode);
    convertArg(Mesh.prototype, 'send_async', 1, toJsonNode);
    convertArg(Mesh.prototype, 'request_async', 1, toJsonNode);
    wrap(Mesh.prototype, 'request_finish', function (original, result) {
        return fromJsonNode(original.call(this, result));
    });

    wrap(Peer.prototype, 'call_finish', function (original, result) {
        return fromJsonNode(original.call(this, result));
    });
    // TRUE and two out values, or a throw.
    wrap(Peer.prototype, 'get_synced_time_finish', function (original, result) {
        const [, rtt, offset] = original.call(this, result);
        return {rtt, offset};
    });

    Object.defineProperty(Packet.prototype, 'msg', {
        get() {
            return fromJsonNode(this.get_msg());
        },
        configurable: true,
    });
    Object.defineProperty(RpcCall.prototype, 'params', {
        get() {
            return fromJsonNode(Json.Node.alloc().init_array(this.get_params()));
        },
        configurable: true,
    });
    Object.defineProperty(RpcCall.prototype, 'result', {
        get() {
            return fromJsonNode(this.get_result());
        },
        configurable: true,
    });

    for (const [klass, calls] of [[Socket, ['listen', 'connect', 'proxy', 'broadcast_request']],
        [Peer, ['request', 'send_bytes_request', 'get_synced_time', 'invoke', 'call']], [Mesh, ['request']]]) {
        for (const call of calls)
            Gio._promisify(klass.prototype, `${call}_async`, `${call}_finish`);
    }
    // Finished by connect_finish().
    Gio._promisify(Socket.prototype, 'connect_with_options_async', 'connect_finish');
}

export default AnySocket;
